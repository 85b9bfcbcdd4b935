// Entry points of elementwise.cu.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "bindings.h"
#include "elementwise.h"

namespace convkit::gpu {
namespace {

std::string show(double value) {
  std::string text = std::to_string(value);
  if (value == std::floor(value) && std::fabs(value) < 1e15) text = std::to_string(static_cast<int64_t>(value));
  return text;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); d++) text += (d ? "," : "") + std::to_string(shape[d]);
  return text + "]";
}

const char *dtypeName(int code) { return code == kFloat32 ? "float32" : code == kInt32 ? "int32" : "bool"; }

DType dtypeArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  const double code = number(info, index, name);
  if (code != 0 && code != 1 && code != 2) {
    rangeError(info, std::string(name) + " must be 0 (float32), 1 (int32) or 2 (bool), received " + show(code));
  }
  return static_cast<DType>(static_cast<int>(code));
}

int64_t wholeArg(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t least) {
  const double value = number(info, index, name);
  if (!(value >= static_cast<double>(least)) || value != std::floor(value) || value > 9007199254740991.0) {
    rangeError(info, std::string(name) + " must be a whole number >= " + std::to_string(least) + ", received " + show(value));
  }
  return static_cast<int64_t>(value);
}

int opArg(const Napi::CallbackInfo &info, size_t index, int count, const char *what) {
  const double op = number(info, index, "op");
  if (!(op >= 0 && op < count) || op != std::floor(op)) {
    rangeError(info, std::string(what) + " op must be a whole number in [0, " + std::to_string(count) + "), received " +
                   show(op));
  }
  return static_cast<int>(op);
}

/** JS's ToInt32 (how a number lands in an Int32Array). */
int32_t jsToInt32(double v) {
  if (!std::isfinite(v)) return 0;
  double m = std::fmod(std::trunc(v), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

/** unary(op, out, x, count, dtype, alpha, beta): out = op(x), the dtype that of tfjs' cpu kernel. */
Napi::Value Unary(const Napi::CallbackInfo &info) {
  const int op = opArg(info, 0, elementwise::kUnaryOpCount, "unary");
  const int64_t count = wholeArg(info, 3, "count", 0);
  const DType dtype = dtypeArg(info, 4, "dtype");
  if (elementwise::unaryOutputType(op, dtype) < 0) {
    rangeError(info, "unary op " + std::to_string(op) + " does not take " + dtypeName(dtype) + " input");
  }
  const double alpha = info.Length() > 5 ? number(info, 5, "alpha") : 0.0;
  const double beta = info.Length() > 6 ? number(info, 6, "beta") : 0.0;
  void *out = devicePointer<uint32_t>(info, 1, "out", count);
  const void *x = devicePointer<uint32_t>(info, 2, "x", count);
  launchUnary(op, out, x, count, dtype, alpha, beta);
  return info.Env().Undefined();
}

std::vector<int64_t> shapeArg(const Napi::CallbackInfo &info, size_t index, const char *name) {
  auto shape = intList(info, index, name);
  if (shape.size() > static_cast<size_t>(kMaxRank)) {
    rangeError(info, std::string(name) + " has rank " + std::to_string(shape.size()) + ", at most 8 is supported");
  }
  for (int64_t dim : shape) {
    if (dim < 0) rangeError(info, std::string(name) + " " + shapeText(shape) + " has a negative dimension");
  }
  return shape;
}

/**
 * The output's index space for operands of shapes `a` and `b` (NumPy
 * broadcasting): dimensions of size 1 dropped, and each run of dimensions
 * that both operands cross contiguously (or both broadcast along) merged.
 */
ElementwiseGeometry broadcastGeometry(const Napi::CallbackInfo &info, const std::vector<int64_t> &a,
                                      const std::vector<int64_t> &b) {
  const int rank = static_cast<int>(std::max(a.size(), b.size()));
  std::vector<int64_t> dims(rank), aStrides(rank), bStrides(rank);
  int64_t aStride = 1, bStride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    const int ad = d - (rank - static_cast<int>(a.size()));
    const int bd = d - (rank - static_cast<int>(b.size()));
    const int64_t aDim = ad >= 0 ? a[ad] : 1;
    const int64_t bDim = bd >= 0 ? b[bd] : 1;
    if (aDim != bDim && aDim != 1 && bDim != 1) {
      rangeError(info, "binary: shapes " + shapeText(a) + " and " + shapeText(b) + " do not broadcast (dimension " +
                     std::to_string(d) + ": " + std::to_string(aDim) + " vs " + std::to_string(bDim) + ")");
    }
    dims[d] = aDim == 1 ? bDim : aDim;
    aStrides[d] = aDim == 1 ? 0 : aStride;
    bStrides[d] = bDim == 1 ? 0 : bStride;
    aStride *= aDim;
    bStride *= bDim;
  }
  ElementwiseGeometry g{};
  g.count = elementCount(dims);
  g.rank = 0;
  for (int d = 0; d < rank; d++) {
    if (dims[d] == 1) continue;
    const int last = g.rank - 1;
    if (last >= 0 && g.aStrides[last] == aStrides[d] * dims[d] && g.bStrides[last] == bStrides[d] * dims[d]) {
      g.dims[last] *= dims[d];
      g.aStrides[last] = aStrides[d];
      g.bStrides[last] = bStrides[d];
    } else {
      g.dims[g.rank] = dims[d];
      g.aStrides[g.rank] = aStrides[d];
      g.bStrides[g.rank] = bStrides[d];
      g.rank++;
    }
  }
  return g;
}

/** binary(op, out, a, aShape, b, bShape, dtype): out = op(a, b) broadcast, the dtype that of tfjs' cpu kernel. */
Napi::Value Binary(const Napi::CallbackInfo &info) {
  const int op = opArg(info, 0, elementwise::kBinaryOpCount, "binary");
  const auto aShape = shapeArg(info, 3, "aShape");
  const auto bShape = shapeArg(info, 5, "bShape");
  const DType dtype = dtypeArg(info, 6, "dtype");
  if (elementwise::binaryOutputType(op, dtype) < 0) {
    rangeError(info, "binary op " + std::to_string(op) + " does not take " + dtypeName(dtype) + " inputs");
  }
  const ElementwiseGeometry geometry = broadcastGeometry(info, aShape, bShape);
  void *out = devicePointer<uint32_t>(info, 1, "out", geometry.count);
  const void *a = devicePointer<uint32_t>(info, 2, "a", elementCount(aShape));
  const void *b = devicePointer<uint32_t>(info, 4, "b", elementCount(bShape));
  launchBinary(op, out, a, b, dtype, geometry);
  return info.Env().Undefined();
}

/** select(out, condition, t, e, count, rowSize): out[i] = condition[i / rowSize] ? t[i] : e[i]. */
Napi::Value Select(const Napi::CallbackInfo &info) {
  const int64_t count = wholeArg(info, 4, "count", 0);
  const int64_t rowSize = wholeArg(info, 5, "rowSize", 1);
  if (count % rowSize != 0) {
    rangeError(info, "select: count " + std::to_string(count) + " is not a multiple of rowSize " + std::to_string(rowSize));
  }
  uint32_t *out = devicePointer<uint32_t>(info, 0, "out", count);
  const int32_t *condition = devicePointer<int32_t>(info, 1, "condition", count / rowSize);
  const uint32_t *t = devicePointer<uint32_t>(info, 2, "t", count);
  const uint32_t *e = devicePointer<uint32_t>(info, 3, "e", count);
  launchSelect(out, condition, t, e, count, rowSize);
  return info.Env().Undefined();
}

/** addN(out, count, dtype, ...inputs): out = the inputs' sum, in order. */
Napi::Value AddN(const Napi::CallbackInfo &info) {
  const int64_t count = wholeArg(info, 1, "count", 0);
  const DType dtype = dtypeArg(info, 2, "dtype");
  if (dtype == kBool) rangeError(info, "addN takes float32 or int32 inputs, received bool");
  if (info.Length() < 4) rangeError(info, "addN needs at least one input");
  void *out = devicePointer<uint32_t>(info, 0, "out", count);
  std::vector<const void *> inputs;
  for (size_t i = 3; i < info.Length(); i++) inputs.push_back(devicePointer<uint32_t>(info, i, "input", count));
  launchAddN(out, inputs.data(), static_cast<int>(inputs.size()), count, dtype);
  return info.Env().Undefined();
}

/** oneHot(out, indices, count, depth, onValue, offValue, dtype): [count, depth] of off, on at each index. */
Napi::Value OneHot(const Napi::CallbackInfo &info) {
  const int64_t count = wholeArg(info, 2, "count", 0);
  const int64_t depth = wholeArg(info, 3, "depth", 0);
  const double on = number(info, 4, "onValue");
  const double off = number(info, 5, "offValue");
  const DType dtype = dtypeArg(info, 6, "dtype");
  if (dtype == kBool) rangeError(info, "oneHot writes float32 or int32, received bool");
  // tfjs' cpu kernel fills a Float32Array: the values are rounded to float32 first.
  uint32_t onBits, offBits;
  if (dtype == kFloat32) {
    const float onF = static_cast<float>(on), offF = static_cast<float>(off);
    std::memcpy(&onBits, &onF, 4);
    std::memcpy(&offBits, &offF, 4);
  } else {
    const int32_t onI = jsToInt32(static_cast<float>(on)), offI = jsToInt32(static_cast<float>(off));
    std::memcpy(&onBits, &onI, 4);
    std::memcpy(&offBits, &offI, 4);
  }
  uint32_t *out = devicePointer<uint32_t>(info, 0, "out", count * depth);
  const int32_t *indices = devicePointer<int32_t>(info, 1, "indices", count);
  launchOneHot(out, indices, count, depth, onBits, offBits);
  return info.Env().Undefined();
}

}  // namespace

void initElementwiseBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "unary", Unary);
  define(env, exports, "binary", Binary);
  define(env, exports, "select", Select);
  define(env, exports, "addN", AddN);
  define(env, exports, "oneHot", OneHot);
}

}  // namespace convkit::gpu
