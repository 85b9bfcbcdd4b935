// Entry points of reduce.cu.
#include <sstream>
#include <string>
#include <vector>

#include "bindings.h"
#include "reduce.h"

namespace convkit::gpu {
namespace {

std::string listOf(const std::vector<int64_t> &values) {
  std::ostringstream text;
  text << "[";
  for (size_t i = 0; i < values.size(); i++) text << (i ? ", " : "") << values[i];
  text << "]";
  return text.str();
}

/** Argument `index`: a whole number in [low, high]. */
int64_t wholeArg(const Napi::CallbackInfo &info, size_t index, const char *name, double low, double high) {
  const double value = number(info, index, name);
  if (!(value >= low && value <= high) || value != static_cast<double>(static_cast<int64_t>(value))) {
    std::ostringstream message;
    message << name << " must be a whole number in [" << low << ", " << high << "], received " << value;
    rangeError(info, message.str());
  }
  return static_cast<int64_t>(value);
}

constexpr const char *kOpNames[] = {"sum", "mean", "max", "min", "prod", "all", "any", "argMax", "argMin"};

/** reduce(op, dtype, x, out, dims, axes): op 0..8 (ReduceOp), dtype 0 float32, 1 int32, 2 bool. */
Napi::Value Reduce(const Napi::CallbackInfo &info) {
  const auto op = static_cast<ReduceOp>(wholeArg(info, 0, "op", 0, 8));
  const auto dtype = static_cast<DType>(wholeArg(info, 1, "dtype", 0, 2));
  const std::string name = std::string("reduce (") + kOpNames[static_cast<int>(op)] + ")";
  const auto dims = intList(info, 4, "dims");
  const auto axes = intList(info, 5, "axes");
  for (const int64_t dim : dims) {
    if (dim <= 0) {
      rangeError(info, name + ": dimensions must be > 0 (empty tensors are the caller's), received " + listOf(dims));
    }
  }
  std::vector<bool> reduced(dims.size(), false);
  for (const int64_t axis : axes) {
    if (axis < 0 || axis >= static_cast<int64_t>(dims.size())) {
      rangeError(info, name + ": axis " + std::to_string(axis) + " is outside [0, " + std::to_string(dims.size()) +
                           ") for dims " + listOf(dims) + " (axes " + listOf(axes) + ")");
    }
    if (reduced[axis]) rangeError(info, name + ": axis " + std::to_string(axis) + " repeats in axes " + listOf(axes));
    reduced[axis] = true;
  }
  if ((op == ReduceOp::kArgMax || op == ReduceOp::kArgMin) && axes.size() != 1) {
    rangeError(info, name + " reduces exactly one axis, received axes " + listOf(axes));
  }
  if ((op == ReduceOp::kAll || op == ReduceOp::kAny) && dtype == kFloat32) {
    rangeError(info, name + " takes bool or int32 data, received float32 (dtype 0)");
  }
  int64_t total = 1, kept = 1;
  for (size_t d = 0; d < dims.size(); d++) {
    total *= dims[d];
    if (!reduced[d]) kept *= dims[d];
  }
  const void *x = devicePointer<uint32_t>(info, 2, "x", total);
  void *out = devicePointer<uint32_t>(info, 3, "out", kept);
  launchReduce(op, dtype, x, out, dims, reduced);
  return info.Env().Undefined();
}

/** softmax(out, logits, rows, length): softmax of each of `rows` rows of `length` contiguous floats. */
Napi::Value Softmax(const Napi::CallbackInfo &info) {
  const int64_t rows = wholeArg(info, 2, "rows", 1, 9007199254740991.0);
  const int64_t length = wholeArg(info, 3, "length", 1, 9007199254740991.0);
  float *out = devicePointer<float>(info, 0, "out", rows * length);
  const float *logits = devicePointer<float>(info, 1, "logits", rows * length);
  launchSoftmax(out, logits, rows, length);
  return info.Env().Undefined();
}

}  // namespace

void initReduceBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "reduce", Reduce);
  define(env, exports, "softmax", Softmax);
}

}  // namespace convkit::gpu
