// Local response normalization and batch normalization (norm.h). The
// semantics are tfjs' cpu kernels' (LRN.js, LRNGrad.js, BatchNorm.js).
//
// LRN normalizes across the channels of a pixel, which are contiguous in NHWC:
// one thread per element, consecutive threads on consecutive channels, each
// reading its 2·radius + 1 neighbours (shared between neighbouring threads, so
// they come from L1). Its gradient is two such passes: the first stores each
// element's dy·y/norm (scratch) and its diagonal term, the second gathers the
// first's values over the same window (the window is symmetric: element k is
// in o's window exactly when o is in k's), so no atomics and O(radius) work
// per element instead of O(radius²).
//
// Batch norm is element-wise with operands indexed cyclically (i % length):
// one modulo by the common length (the channel count) per element; 32-bit
// index arithmetic when the sizes allow it.
#include "device.h"
#include "norm.h"

namespace convkit::gpu {
namespace norm {

constexpr unsigned kThreads = 256;

/** t^−beta, with exact-enough shortcuts for the usual betas (AlexNet's 0.75, 0.5, 1). */
__device__ __forceinline__ float negativePower(float t, float beta) {
  if (beta == 0.75f) {
    const float r = rsqrtf(t);
    return r * sqrtf(r);
  }
  if (beta == 0.5f) return rsqrtf(t);
  if (beta == 1.0f) return 1.0f / t;
  return powf(t, -beta);
}

/** Σ values[j]² over the channels of `i`'s pixel within `radius` of its channel `c`. */
template <class Index>
__device__ __forceinline__ float windowSumOfSquares(const float *__restrict__ values, Index i, int c, int channels,
                                                    int radius) {
  const Index base = i - c;
  const int begin = ckMax(c - radius, 0);
  const int end = ckMin(c + radius, channels - 1);
  float sum = 0.0f;
  for (int j = begin; j <= end; j++) {
    const float v = values[base + j];
    sum += v * v;
  }
  return sum;
}

template <class Index>
__global__ void __launch_bounds__(kThreads) lrn(float *__restrict__ y, const float *__restrict__ x, Index count,
                                                int channels, int radius, float bias, float alpha, float beta) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const int c = static_cast<int>(i % channels);
    const float norm = bias + alpha * windowSumOfSquares(x, i, c, channels, radius);
    y[i] = x[i] * negativePower(norm, beta);
  }
}

/** LRNGrad's first pass: ratio = dy·y/norm, and dx = dy·norm^−beta (the term of the element's own output). */
template <class Index>
__global__ void __launch_bounds__(kThreads)
    lrnGradRatio(float *__restrict__ dx, float *__restrict__ ratio, const float *__restrict__ x,
                 const float *__restrict__ y, const float *__restrict__ dy, Index count, int channels, int radius,
                 float bias, float alpha, float beta) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const int c = static_cast<int>(i % channels);
    const float norm = alpha * windowSumOfSquares(x, i, c, channels, radius) + bias;
    const float g = dy[i];
    ratio[i] = g * y[i] / norm;
    dx[i] = g * negativePower(norm, beta);
  }
}

/** LRNGrad's second pass: dx −= 2·alpha·beta·x · Σ ratio over the element's window. */
template <class Index>
__global__ void __launch_bounds__(kThreads)
    lrnGradGather(float *__restrict__ dx, const float *__restrict__ ratio, const float *__restrict__ x, Index count,
                  int channels, int radius, float factor) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const int c = static_cast<int>(i % channels);
    const Index base = i - c;
    const int begin = ckMax(c - radius, 0);
    const int end = ckMin(c + radius, channels - 1);
    float sum = 0.0f;
    for (int j = begin; j <= end; j++) sum += ratio[base + j];
    dx[i] += factor * x[i] * sum;
  }
}

/** Operand `c` for element i (r = i % common, computed once for all operands). */
template <class Index>
__device__ __forceinline__ float cyclic(const Cyclic &c, Index i, Index r, Index common, float absent) {
  if (c.values == nullptr) return absent;
  const Index length = static_cast<Index>(c.length);
  const Index at = length == common ? r : length == 1 ? Index{0} : i % length;
  return c.values[at];
}

template <class Index>
__global__ void __launch_bounds__(kThreads)
    batchNorm(float *__restrict__ y, const float *__restrict__ x, Index count, Cyclic mean, Cyclic variance,
              Cyclic offset, Cyclic scale, Index common, float epsilon) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const Index r = i % common;
    const float m = cyclic(mean, i, r, common, 0.0f);
    const float v = cyclic(variance, i, r, common, 0.0f);
    const float o = cyclic(offset, i, r, common, 0.0f);
    const float s = cyclic(scale, i, r, common, 1.0f);
    y[i] = o + (x[i] - m) * s / sqrtf(v + epsilon);
  }
}

/** 32-bit indices when every flat index and the grid-stride step fit. */
inline bool small(int64_t count) { return count < (int64_t{1} << 30); }

}  // namespace norm

void launchLrn(float *y, const float *x, int64_t pixels, int channels, int radius, float bias, float alpha,
               float beta) {
  const int64_t count = pixels * channels;
  if (count == 0) return;
  const unsigned blocks = blocksFor(count, norm::kThreads);
  if (norm::small(count)) {
    CK_LAUNCH(norm::lrn<int32_t>, blocks, norm::kThreads, y, x, static_cast<int32_t>(count), channels, radius, bias,
              alpha, beta);
  } else {
    CK_LAUNCH(norm::lrn<int64_t>, blocks, norm::kThreads, y, x, count, channels, radius, bias, alpha, beta);
  }
  checkLaunch("lrn");
}

void launchLrnGrad(float *dx, const float *x, const float *y, const float *dy, int64_t pixels, int channels,
                   int radius, float bias, float alpha, float beta) {
  const int64_t count = pixels * channels;
  if (count == 0) return;
  auto *ratio = static_cast<float *>(allocate(static_cast<size_t>(count) * sizeof(float)));
  const unsigned blocks = blocksFor(count, norm::kThreads);
  const float factor = -2.0f * alpha * beta;
  if (norm::small(count)) {
    const auto n = static_cast<int32_t>(count);
    CK_LAUNCH(norm::lrnGradRatio<int32_t>, blocks, norm::kThreads, dx, ratio, x, y, dy, n, channels, radius, bias,
              alpha, beta);
    checkLaunch("lrnGrad (ratio)");
    CK_LAUNCH(norm::lrnGradGather<int32_t>, blocks, norm::kThreads, dx, ratio, x, n, channels, radius, factor);
  } else {
    CK_LAUNCH(norm::lrnGradRatio<int64_t>, blocks, norm::kThreads, dx, ratio, x, y, dy, count, channels, radius, bias,
              alpha, beta);
    checkLaunch("lrnGrad (ratio)");
    CK_LAUNCH(norm::lrnGradGather<int64_t>, blocks, norm::kThreads, dx, ratio, x, count, channels, radius, factor);
  }
  checkLaunch("lrnGrad");
  release(ratio);  // stream-ordered: the kernels above run before any reuse
}

void launchBatchNorm(float *y, const float *x, int64_t count, Cyclic mean, Cyclic variance, Cyclic offset,
                     Cyclic scale, float epsilon) {
  if (count == 0) return;
  // An operand longer than x never wraps: as long as x it reads the same elements.
  int64_t common = 1;
  Cyclic *operands[] = {&mean, &variance, &offset, &scale};
  for (Cyclic *c : operands) {
    if (c->length > count) c->length = count;
    if (c->values != nullptr && c->length > common) common = c->length;
  }
  const unsigned blocks = blocksFor(count, norm::kThreads);
  if (norm::small(count) && norm::small(common)) {
    CK_LAUNCH(norm::batchNorm<int32_t>, blocks, norm::kThreads, y, x, static_cast<int32_t>(count), mean, variance,
              offset, scale, static_cast<int32_t>(common), epsilon);
  } else {
    CK_LAUNCH(norm::batchNorm<int64_t>, blocks, norm::kThreads, y, x, count, mean, variance, offset, scale, common,
              epsilon);
  }
  checkLaunch("batchNorm");
}

}  // namespace convkit::gpu
