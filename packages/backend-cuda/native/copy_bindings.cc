// Entry points of copy.cu.
#include <cstring>

#include "bindings.h"
#include "copy.h"

namespace convkit::gpu {
namespace {

DType dtypeArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  const double code = number(info, index, name);
  if (code != 0 && code != 1 && code != 2) {
    throw Napi::RangeError::New(info.Env(), std::string("convkit cuda: ") + name +
                                                " must be 0 (float32), 1 (int32) or 2 (bool), received " +
                                                std::to_string(code));
  }
  return static_cast<DType>(static_cast<int>(code));
}

int64_t countArg(const Napi::CallbackInfo &info, size_t index) {
  const double count = number(info, index, "count");
  if (count < 0 || count != static_cast<double>(static_cast<int64_t>(count))) {
    throw Napi::RangeError::New(info.Env(),
                                "convkit cuda: count must be a whole number >= 0, received " + std::to_string(count));
  }
  return static_cast<int64_t>(count);
}

/** fill(out, count, value, dtype) */
Napi::Value Fill(const Napi::CallbackInfo &info) {
  const int64_t count = countArg(info, 1);
  const double value = number(info, 2, "value");
  const DType dtype = dtypeArg(info, 3, "dtype");
  uint32_t bits;
  if (dtype == kFloat32) {
    const float f = static_cast<float>(value);
    std::memcpy(&bits, &f, 4);
  } else {
    const int32_t n = dtype == kBool ? (value != 0) : static_cast<int32_t>(value);
    std::memcpy(&bits, &n, 4);
  }
  launchFill(devicePointer<uint32_t>(info, 0, "out", count), count, bits);
  return info.Env().Undefined();
}

/** cast(out, in, count, fromDtype, toDtype) */
Napi::Value Cast(const Napi::CallbackInfo &info) {
  const int64_t count = countArg(info, 2);
  launchCast(devicePointer<uint32_t>(info, 0, "out", count), devicePointer<uint32_t>(info, 1, "in", count), count,
             dtypeArg(info, 3, "from"), dtypeArg(info, 4, "to"));
  return info.Env().Undefined();
}

/** The lowest and one past the highest element a box reaches from `offset`. */
void extent(const StridedBox &box, const int64_t *strides, int64_t offset, int64_t &low, int64_t &high) {
  low = offset;
  high = offset;
  for (int d = 0; d < box.rank; d++) {
    const int64_t reach = (box.dims[d] - 1) * strides[d];
    (reach < 0 ? low : high) += reach;
  }
  high += 1;
}

/** stridedCopy(to, from, dims, toStrides, fromStrides, toOffset, fromOffset) */
Napi::Value StridedCopy(const Napi::CallbackInfo &info) {
  const auto dims = intList(info, 2, "dims");
  const auto toStrides = ints(info, 3, "toStrides", dims.size());
  const auto fromStrides = ints(info, 4, "fromStrides", dims.size());
  if (dims.size() > kMaxRank) {
    throw Napi::RangeError::New(info.Env(), "convkit cuda: stridedCopy takes at most 8 dimensions, received " +
                                                std::to_string(dims.size()));
  }
  StridedBox box{};
  box.rank = static_cast<int>(dims.size());
  for (int d = 0; d < box.rank; d++) {
    if (dims[d] < 0) throw Napi::RangeError::New(info.Env(), "convkit cuda: stridedCopy: negative dimension");
    box.dims[d] = dims[d];
    box.toStrides[d] = toStrides[d];
    box.fromStrides[d] = fromStrides[d];
  }
  box.toOffset = static_cast<int64_t>(number(info, 5, "toOffset"));
  box.fromOffset = static_cast<int64_t>(number(info, 6, "fromOffset"));
  if (elementCount(dims) == 0) return info.Env().Undefined();
  int64_t toLow, toHigh, fromLow, fromHigh;
  extent(box, box.toStrides, box.toOffset, toLow, toHigh);
  extent(box, box.fromStrides, box.fromOffset, fromLow, fromHigh);
  if (toLow < 0 || fromLow < 0) {
    throw Napi::RangeError::New(info.Env(), "convkit cuda: stridedCopy reaches before the start of a block");
  }
  launchStridedCopy(devicePointer<uint32_t>(info, 0, "to", toHigh), devicePointer<uint32_t>(info, 1, "from", fromHigh),
                    box);
  return info.Env().Undefined();
}

}  // namespace

void initCopyBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "fill", Fill);
  define(env, exports, "cast", Cast);
  define(env, exports, "stridedCopy", StridedCopy);
}

}  // namespace convkit::gpu
