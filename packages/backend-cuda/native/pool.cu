// 2-D pooling on NHWC data (pool.h). The semantics are tfjs' cpu kernels'
// (tfjs-backend-cpu utils/pool_utils.js, MaxPoolGrad.js, AvgPoolGrad.js):
// - max: the first value that is strictly greater than the best so far,
//   starting from -Infinity, so NaN never wins and an all-NaN or empty window
//   gives -Infinity; the gradient goes to that first maximum only;
// - average: the mean over the window's elements inside the input (padding
//   does not count), NaN for an empty window; its gradient divides by the
//   full filter area, as tfjs' AvgPoolGrad does.
//
// Launch shapes: one thread per output element (forward, and the argmax pass
// of the max gradient) or per input element (the gradients gather from the
// windows that contain them: no atomics, deterministic). The channel index is
// the fastest-varying one, so consecutive threads of a warp read and write
// consecutive addresses of NHWC data. Index arithmetic is 32-bit when the
// tensors allow it (64-bit divisions are slow on GPUs).
#include "device.h"
#include "pool.h"

namespace convkit::gpu {
namespace pool {

constexpr unsigned kThreads = 256;

/** floor(a / b) for b > 0 and any sign of a. */
__device__ __forceinline__ int floorDiv(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
/** ceil(a / b) for b > 0 and any sign of a. */
__device__ __forceinline__ int ceilDiv(int a, int b) { return -floorDiv(-a, b); }

/** An element (n, h, w, c) of an NHWC tensor [*, height, width, channels] from its flat index. */
template <class Index>
struct Position {
  Index n;
  int h, w, c;
};

template <class Index>
__device__ __forceinline__ Position<Index> locate(Index i, int height, int width, int channels) {
  Position<Index> p;
  p.c = static_cast<int>(i % channels);
  Index rest = i / channels;
  p.w = static_cast<int>(rest % width);
  rest /= width;
  p.h = static_cast<int>(rest % height);
  p.n = rest / height;
  return p;
}

/** Max (kind 0) or average (kind 1) pooling: one thread per output element. */
template <class Index, int kind>
__global__ void __launch_bounds__(kThreads) forward(float *__restrict__ y, const float *__restrict__ x, PoolGeometry g,
                                                    Index count) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const Position<Index> o = locate(i, g.outH, g.outW, g.channels);
    const int h0 = o.h * g.strideH - g.padTop;
    const int w0 = o.w * g.strideW - g.padLeft;
    const int hBegin = ckMax(h0, 0), hEnd = ckMin(h0 + g.filterH, g.inH);
    const int wBegin = ckMax(w0, 0), wEnd = ckMin(w0 + g.filterW, g.inW);
    const float *base = x + o.n * g.inH * Index{g.inW} * g.channels + o.c;
    if (kind == 0) {
      float best = -INFINITY;
      for (int h = hBegin; h < hEnd; h++) {
        const float *row = base + Index{h} * g.inW * g.channels;
        for (int w = wBegin; w < wEnd; w++) {
          const float v = row[Index{w} * g.channels];
          if (v > best) best = v;
        }
      }
      y[i] = best;
    } else {
      float sum = 0.0f;
      for (int h = hBegin; h < hEnd; h++) {
        const float *row = base + Index{h} * g.inW * g.channels;
        for (int w = wBegin; w < wEnd; w++) sum += row[Index{w} * g.channels];
      }
      const int count = ckMax(hEnd - hBegin, 0) * ckMax(wEnd - wBegin, 0);
      y[i] = count > 0 ? sum / static_cast<float>(count) : NAN;
    }
  }
}

/** Where each window's first maximum is, as (row · filterW + column) in the window, or -1 (none). */
template <class Index>
__global__ void __launch_bounds__(kThreads) argmax(int32_t *__restrict__ position, const float *__restrict__ x,
                                                   PoolGeometry g, Index count) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const Position<Index> o = locate(i, g.outH, g.outW, g.channels);
    const int h0 = o.h * g.strideH - g.padTop;
    const int w0 = o.w * g.strideW - g.padLeft;
    const int hBegin = ckMax(h0, 0), hEnd = ckMin(h0 + g.filterH, g.inH);
    const int wBegin = ckMax(w0, 0), wEnd = ckMin(w0 + g.filterW, g.inW);
    const float *base = x + o.n * g.inH * Index{g.inW} * g.channels + o.c;
    float best = -INFINITY;
    int32_t at = -1;
    for (int h = hBegin; h < hEnd; h++) {
      const float *row = base + Index{h} * g.inW * g.channels;
      for (int w = wBegin; w < wEnd; w++) {
        const float v = row[Index{w} * g.channels];
        if (v > best) {
          best = v;
          at = (h - h0) * g.filterW + (w - w0);
        }
      }
    }
    position[i] = at;
  }
}

/**
 * The gradients: one thread per input element, summing dy over the windows
 * that contain it; for max (kind 0) only the windows whose argmax it is, for
 * average (kind 1) all of them, times `scale`.
 */
template <class Index, int kind>
__global__ void __launch_bounds__(kThreads) backward(float *__restrict__ dx, const float *__restrict__ dy,
                                                     const int32_t *__restrict__ position, PoolGeometry g, float scale,
                                                     Index count) {
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const Position<Index> p = locate(i, g.inH, g.inW, g.channels);
    // Window oh covers rows [oh·strideH − padTop, oh·strideH − padTop + filterH).
    const int ohBegin = ckMax(ceilDiv(p.h + g.padTop - g.filterH + 1, g.strideH), 0);
    const int ohEnd = ckMin(floorDiv(p.h + g.padTop, g.strideH) + 1, g.outH);
    const int owBegin = ckMax(ceilDiv(p.w + g.padLeft - g.filterW + 1, g.strideW), 0);
    const int owEnd = ckMin(floorDiv(p.w + g.padLeft, g.strideW) + 1, g.outW);
    const Index batchOffset = p.n * g.outH * Index{g.outW} * g.channels + p.c;
    float sum = 0.0f;
    for (int oh = ohBegin; oh < ohEnd; oh++) {
      const Index rowOffset = batchOffset + Index{oh} * g.outW * g.channels;
      const int wr = p.h - (oh * g.strideH - g.padTop);
      for (int ow = owBegin; ow < owEnd; ow++) {
        const Index o = rowOffset + Index{ow} * g.channels;
        if (kind == 0) {
          const int wc = p.w - (ow * g.strideW - g.padLeft);
          if (position[o] == wr * g.filterW + wc) sum += dy[o];
        } else {
          sum += dy[o];
        }
      }
    }
    dx[i] = kind == 0 ? sum : sum * scale;
  }
}

/** 32-bit indices when every flat index and the grid-stride step fit. */
inline bool small(int64_t count) { return count < (int64_t{1} << 30); }

int64_t outputCount(const PoolGeometry &g) { return int64_t{g.batch} * g.outH * g.outW * g.channels; }
int64_t inputCount(const PoolGeometry &g) { return int64_t{g.batch} * g.inH * g.inW * g.channels; }

template <int kind>
void launchForward(float *y, const float *x, const PoolGeometry &g, const char *name) {
  const int64_t count = outputCount(g);
  if (count == 0) return;
  const unsigned blocks = blocksFor(count, kThreads);
  // 32-bit index math only when the input's offsets fit too (a large input can pool to a small output).
  if (small(count) && small(inputCount(g))) {
    CK_LAUNCH((forward<int32_t, kind>), blocks, kThreads, y, x, g, static_cast<int32_t>(count));
  } else {
    CK_LAUNCH((forward<int64_t, kind>), blocks, kThreads, y, x, g, count);
  }
  checkLaunch(name);
}

}  // namespace pool

void launchMaxPool(float *y, const float *x, const PoolGeometry &g) { pool::launchForward<0>(y, x, g, "maxPool"); }

void launchAvgPool(float *y, const float *x, const PoolGeometry &g) { pool::launchForward<1>(y, x, g, "avgPool"); }

void launchMaxPoolGrad(float *dx, const float *x, const float *dy, const PoolGeometry &g) {
  const int64_t outputs = pool::outputCount(g);
  const int64_t inputs = pool::inputCount(g);
  if (inputs == 0) return;
  // Pass 1: each window's argmax (int32 scratch, freed in stream order); pass 2: gather.
  auto *position = static_cast<int32_t *>(allocate(static_cast<size_t>(outputs > 0 ? outputs : 1) * sizeof(int32_t)));
  const unsigned threads = pool::kThreads;
  if (outputs > 0) {
    if (pool::small(outputs) && pool::small(inputs)) {
      CK_LAUNCH(pool::argmax<int32_t>, blocksFor(outputs, threads), threads, position, x, g,
                static_cast<int32_t>(outputs));
    } else {
      CK_LAUNCH(pool::argmax<int64_t>, blocksFor(outputs, threads), threads, position, x, g, outputs);
    }
    checkLaunch("maxPoolGrad (argmax)");
  }
  if (pool::small(inputs) && pool::small(outputs)) {
    CK_LAUNCH((pool::backward<int32_t, 0>), blocksFor(inputs, threads), threads, dx, dy, position, g, 1.0f,
              static_cast<int32_t>(inputs));
  } else {
    CK_LAUNCH((pool::backward<int64_t, 0>), blocksFor(inputs, threads), threads, dx, dy, position, g, 1.0f, inputs);
  }
  checkLaunch("maxPoolGrad");
  release(position);
}

void launchAvgPoolGrad(float *dx, const float *dy, const PoolGeometry &g) {
  const int64_t outputs = pool::outputCount(g);
  const int64_t inputs = pool::inputCount(g);
  if (inputs == 0) return;
  const float scale = static_cast<float>(1.0 / (static_cast<double>(g.filterH) * g.filterW));
  const unsigned threads = pool::kThreads;
  if (pool::small(inputs) && pool::small(outputs)) {
    CK_LAUNCH((pool::backward<int32_t, 1>), blocksFor(inputs, threads), threads, dx, dy, nullptr, g, scale,
              static_cast<int32_t>(inputs));
  } else {
    CK_LAUNCH((pool::backward<int64_t, 1>), blocksFor(inputs, threads), threads, dx, dy, nullptr, g, scale, inputs);
  }
  checkLaunch("avgPoolGrad");
}

}  // namespace convkit::gpu
