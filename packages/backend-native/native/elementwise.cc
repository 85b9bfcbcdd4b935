// Element-wise kernels that show up in a training profile: the bias add, the
// ReLU and its gradient (Step, then Multiply), the optimizer's arithmetic,
// and batch norm. Memory-bound, so the aim is one pass, vectorized, split
// over threads only when the array is large enough to pay for it.
#include "elementwise.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "common.h"

namespace convkit {

void applyActivation(const float *in, float *out, int64_t size, int activation, float alpha) {
  switch (activation) {
    case kActRelu:
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) out[i] = in[i] < 0.f ? 0.f : in[i];
      break;
    case kActRelu6:
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) out[i] = in[i] < 0.f ? 0.f : in[i] > 6.f ? 6.f : in[i];
      break;
    case kActElu:
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) out[i] = in[i] > 0.f ? in[i] : std::expm1(in[i]);
      break;
    case kActSigmoid:
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) out[i] = 1.f / (1.f + std::exp(-in[i]));
      break;
    case kActLeakyRelu:
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) out[i] = in[i] < 0.f ? alpha * in[i] : in[i];
      break;
    default:
      if (in != out) std::copy(in, in + size, out);
      break;
  }
}

namespace {

enum BinaryOp { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3 };

/**
 * out[i] = op(full[i], period[i mod p]). A short period (LeNet's 6 bias
 * channels) is first repeated to a multiple of 16 floats, so the inner loop
 * runs over whole vectors instead of 6 elements at a time (64×28×28×6 + [6]:
 * 74 → 36 µs on one thread). Each element is still one op of the same two floats.
 */
template <class Op>
void repeatingLoop(const float *full, const float *period, int64_t p, float *out, int64_t size, Op op) {
  int64_t span = p;
  while (span % 16 != 0 && span < 256) span += p;
  // A long period vectorizes as it is: no copy (a dense layer's bias, 84 or 120 wide).
  if (span % 16 != 0 || p >= 64) span = p;
  std::vector<float> repeated(span == p ? 0 : span);
  for (int64_t j = 0; j < static_cast<int64_t>(repeated.size()); j++) repeated[j] = period[j % p];
  const float *r = span == p ? period : repeated.data();
  const int64_t blocks = size / span;
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
  for (int64_t block = 0; block < blocks; block++) {
    const float *fb = full + block * span;
    float *ob = out + block * span;
#pragma omp simd
    for (int64_t j = 0; j < span; j++) ob[j] = op(fb[j], r[j]);
  }
  for (int64_t i = blocks * span; i < size; i++) out[i] = op(full[i], r[i - blocks * span]);
}

template <class Op>
void binaryLoop(const float *a, int64_t aSize, const float *b, int64_t bSize, float *out, int64_t size, Op op) {
  if (aSize == size && bSize == size) {
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t i = 0; i < size; i++) out[i] = op(a[i], b[i]);
  } else if (aSize == size) {
    // b repeats along the leading axes: the bias of a layer, a per-channel scale.
    repeatingLoop(a, b, bSize, out, size, op);
  } else if (bSize == size) {
    repeatingLoop(b, a, aSize, out, size, [op](float y, float x) { return op(x, y); });
  } else {
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t i = 0; i < size; i++) out[i] = op(a[i % aSize], b[i % bSize]);
  }
}

/**
 * binary(op, a, b, out): out[i] = a[i mod |a|] op b[i mod |b|]. The
 * JavaScript side sends only broadcasts of that form (an operand whose shape
 * is a suffix of the output's, or a scalar).
 */
Napi::Value Binary(const Napi::CallbackInfo &info) {
  const int op = static_cast<int>(number(info, 0, "op"));
  auto sizes = ints(info, 4, "sizes", 3);
  const int64_t aSize = sizes[0], bSize = sizes[1], size = sizes[2];
  if (aSize < 1 || bSize < 1 || size % aSize != 0 || size % bSize != 0) {
    throw Napi::RangeError::New(info.Env(), "convkit native: binary operands must divide the output size");
  }
  const float *a = floats(info, 1, "a", aSize);
  const float *b = floats(info, 2, "b", bSize);
  float *out = floats(info, 3, "out", size);
  switch (op) {
    case kAdd: binaryLoop(a, aSize, b, bSize, out, size, [](float x, float y) { return x + y; }); break;
    case kSub: binaryLoop(a, aSize, b, bSize, out, size, [](float x, float y) { return x - y; }); break;
    case kMul: binaryLoop(a, aSize, b, bSize, out, size, [](float x, float y) { return x * y; }); break;
    case kDiv: binaryLoop(a, aSize, b, bSize, out, size, [](float x, float y) { return x / y; }); break;
    default: throw Napi::RangeError::New(info.Env(), "convkit native: unknown binary op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

template <class Op>
void stridedLoop(const float *a, const float *b, float *out, const std::vector<int64_t> &shape,
                 const std::vector<int64_t> &aStrides, const std::vector<int64_t> &bStrides, Op op) {
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1], sa = aStrides[rank - 1], sb = bStrides[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= shape[d];
#pragma omp parallel for if (rows * inner > kParallelGrain) schedule(static)
  for (int64_t row = 0; row < rows; row++) {
    // The row's offsets in a and b, from its coordinates (innermost first).
    int64_t rest = row, ao = 0, bo = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      const int64_t at = rest % shape[d];
      rest /= shape[d];
      ao += at * aStrides[d];
      bo += at * bStrides[d];
    }
    float *o = out + row * inner;
    for (int64_t i = 0; i < inner; i++) o[i] = op(a[ao + i * sa], b[bo + i * sb]);
  }
}

/**
 * broadcast(op, a, b, out, shape, aStrides, bStrides): any broadcast, as
 * strides (0 along a broadcast axis), e.g. softmax's [64, 10] − [64, 1].
 * tfjs' cpu kernel converts every element's index to coordinates and back
 * (about 1 µs an element) when shapes differ in another way than by leading axes.
 */
Napi::Value Broadcast(const Napi::CallbackInfo &info) {
  const int op = static_cast<int>(number(info, 0, "op"));
  const size_t rank = info[4].As<Napi::Int32Array>().ElementLength();
  if (rank == 0) throw Napi::RangeError::New(info.Env(), "convkit native: broadcast needs a rank of at least 1");
  const auto shape = ints(info, 4, "shape", rank);
  const auto aStrides = ints(info, 5, "aStrides", rank);
  const auto bStrides = ints(info, 6, "bStrides", rank);
  int64_t size = 1, aLast = 0, bLast = 0;
  for (size_t d = 0; d < rank; d++) {
    size *= shape[d];
    aLast += (shape[d] - 1) * aStrides[d];
    bLast += (shape[d] - 1) * bStrides[d];
  }
  const float *a = floats(info, 1, "a", aLast + 1);
  const float *b = floats(info, 2, "b", bLast + 1);
  float *out = floats(info, 3, "out", size);
  if (size == 0) return info.Env().Undefined();
  switch (op) {
    case kAdd: stridedLoop(a, b, out, shape, aStrides, bStrides, [](float x, float y) { return x + y; }); break;
    case kSub: stridedLoop(a, b, out, shape, aStrides, bStrides, [](float x, float y) { return x - y; }); break;
    case kMul: stridedLoop(a, b, out, shape, aStrides, bStrides, [](float x, float y) { return x * y; }); break;
    case kDiv: stridedLoop(a, b, out, shape, aStrides, bStrides, [](float x, float y) { return x / y; }); break;
    default: throw Napi::RangeError::New(info.Env(), "convkit native: unknown binary op " + std::to_string(op));
  }
  return info.Env().Undefined();
}

/** activation(x, y, code, alpha): y = f(x) for the fused activations (ReLU, ReLU6, ELU, sigmoid, leaky ReLU). */
Napi::Value Activation(const Napi::CallbackInfo &info) {
  auto x = info[0].As<Napi::Float32Array>();
  float *in = floats(info, 0, "x", 0);
  const int64_t size = static_cast<int64_t>(x.ElementLength());
  float *out = floats(info, 1, "y", size);
  applyActivation(in, out, size, static_cast<int>(number(info, 2, "activation")),
                  static_cast<float>(number(info, 3, "alpha")));
  return info.Env().Undefined();
}

/** step(x, y, alpha): tfjs' Step, 1 where x > 0, alpha elsewhere, NaN for NaN (ReLU's gradient mask). */
Napi::Value Step(const Napi::CallbackInfo &info) {
  auto x = info[0].As<Napi::Float32Array>();
  const float *in = floats(info, 0, "x", 0);
  const int64_t size = static_cast<int64_t>(x.ElementLength());
  float *out = floats(info, 1, "y", size);
  const float alpha = static_cast<float>(number(info, 2, "alpha"));
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
  for (int64_t i = 0; i < size; i++) out[i] = std::isnan(in[i]) ? in[i] : in[i] > 0.f ? 1.f : alpha;
  return info.Env().Undefined();
}

/**
 * reluGrad(dy, x, dx): ReLU's gradient in one pass, tfjs' dy·step(x) to the bit: dy where x > 0,
 * dy·0 elsewhere (a signed zero, NaN for an infinite dy), NaN where x is NaN. Step then Multiply
 * would take two kernel calls and two passes over the activation.
 */
Napi::Value ReluGrad(const Napi::CallbackInfo &info) {
  auto x = info[1].As<Napi::Float32Array>();
  const int64_t size = static_cast<int64_t>(x.ElementLength());
  const float *dy = floats(info, 0, "dy", size);
  const float *in = floats(info, 1, "x", size);
  float *out = floats(info, 2, "dx", size);
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
  for (int64_t i = 0; i < size; i++) {
    // The mask as Step makes it, then one product: no branch on the sign, so the loop vectorizes.
    const float mask = std::isnan(in[i]) ? in[i] : in[i] > 0.f ? 1.f : 0.f;
    out[i] = dy[i] * mask;
  }
  return info.Env().Undefined();
}

/**
 * batchNorm(x, mean, variance, offset | null, scale | null, y, epsilon):
 * y = offset + (x − mean) · scale / √(variance + ε), each parameter repeating
 * along the leading axes (tfjs' cpu kernel indexes them modulo their size).
 */
Napi::Value BatchNorm(const Napi::CallbackInfo &info) {
  auto x = info[0].As<Napi::Float32Array>();
  const float *in = floats(info, 0, "x", 0);
  const int64_t size = static_cast<int64_t>(x.ElementLength());
  auto lengthOf = [&](size_t index) {
    return info[index].IsTypedArray() ? static_cast<int64_t>(info[index].As<Napi::TypedArray>().ElementLength()) : 1;
  };
  const float *mean = floats(info, 1, "mean", 1);
  const float *variance = floats(info, 2, "variance", 1);
  const float *offset = optionalFloats(info, 3, "offset", 1);
  const float *scale = optionalFloats(info, 4, "scale", 1);
  float *out = floats(info, 5, "y", size);
  const double epsilon = number(info, 6, "epsilon");
  const int64_t mSize = lengthOf(1), vSize = lengthOf(2), oSize = offset ? lengthOf(3) : 1,
                sSize = scale ? lengthOf(4) : 1;
  const int64_t channels = mSize;
  if (vSize == channels && (oSize == channels || !offset) && (sSize == channels || !scale) && size % channels == 0) {
    // The usual case, one value per channel: y = (x − mean)·k + offset, k folded once per channel.
    std::vector<float> k(channels);
    for (int64_t j = 0; j < channels; j++)
      k[j] = static_cast<float>((scale ? scale[j] : 1.0) / std::sqrt(static_cast<double>(variance[j]) + epsilon));
    const int64_t blocks = size / channels;
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t block = 0; block < blocks; block++) {
      const float *xb = in + block * channels;
      float *yb = out + block * channels;
      for (int64_t j = 0; j < channels; j++) yb[j] = (xb[j] - mean[j]) * k[j] + (offset ? offset[j] : 0.f);
    }
  } else {
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t i = 0; i < size; i++) {
      const double s = scale ? scale[i % sSize] : 1.0, o = offset ? offset[i % oSize] : 0.0;
      out[i] = static_cast<float>(o + (in[i] - mean[i % mSize]) * s / std::sqrt(variance[i % vSize] + epsilon));
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initElementwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("broadcast", Napi::Function::New(env, Broadcast));
  exports.Set("activation", Napi::Function::New(env, Activation));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad));
  exports.Set("batchNorm", Napi::Function::New(env, BatchNorm));
}

}  // namespace convkit
