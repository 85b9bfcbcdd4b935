// Depthwise 2-D convolution and its gradients (depthwise.h), direct kernels
// with the semantics of tfjs' cpu kernels (DepthwiseConv2dNative*.js).
//
// Forward and input gradient: one thread per output element, the channel the
// fastest-varying index, so a warp reads and writes consecutive NHWC
// addresses (and consecutive filter entries: filter [fh, fw, C, M] is
// contiguous in the output channel c·M + q). The input gradient gathers from
// the output positions whose windows hold the element: no atomics.
//
// Filter gradient: a reduction over batch·outH·outW for every filter element.
// A block is a TX × TY tile: TX consecutive output channels (coalesced reads
// of x and dy) × TY pixel lanes, for one (kh, kw) and one slice of the pixels;
// the lanes are summed by a shared-memory tree. When there are few filter
// elements and many pixels the pixels are split across blocks (grid.z), each
// writing a partial sum to scratch, and a second kernel adds the partials in a
// fixed order: deterministic, and enough blocks to fill the GPU.
#include "depthwise.h"
#include "device.h"

namespace convkit::gpu {
namespace depthwise {

constexpr unsigned kThreads = 256;

template <class Index>
__global__ void __launch_bounds__(kThreads)
    forward(float *__restrict__ y, const float *__restrict__ x, const float *__restrict__ filter, DepthwiseGeometry g,
            Index count) {
  const int outChannels = g.channels * g.multiplier;
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const int oc = static_cast<int>(i % outChannels);
    Index rest = i / outChannels;
    const int ow = static_cast<int>(rest % g.outW);
    rest /= g.outW;
    const int oh = static_cast<int>(rest % g.outH);
    const Index n = rest / g.outH;
    const int ic = oc / g.multiplier;
    const int h0 = oh * g.strideH - g.padTop;
    const int w0 = ow * g.strideW - g.padLeft;
    const float *xBatch = x + n * g.inH * static_cast<Index>(g.inW) * g.channels + ic;
    float sum = 0.0f;
    for (int kh = 0; kh < g.filterH; kh++) {
      const int ih = h0 + kh * g.dilationH;
      if (ih < 0 || ih >= g.inH) continue;
      const float *xRow = xBatch + static_cast<Index>(ih) * g.inW * g.channels;
      const float *filterRow = filter + kh * g.filterW * outChannels + oc;
      for (int kw = 0; kw < g.filterW; kw++) {
        const int iw = w0 + kw * g.dilationW;
        if (iw < 0 || iw >= g.inW) continue;
        sum += xRow[static_cast<Index>(iw) * g.channels] * filterRow[kw * outChannels];
      }
    }
    y[i] = sum;
  }
}

template <class Index>
__global__ void __launch_bounds__(kThreads)
    backpropInput(float *__restrict__ dx, const float *__restrict__ dy, const float *__restrict__ filter,
                  DepthwiseGeometry g, Index count) {
  const int outChannels = g.channels * g.multiplier;
  for (Index i = blockIdx.x * static_cast<Index>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<Index>(blockDim.x) * gridDim.x) {
    const int ic = static_cast<int>(i % g.channels);
    Index rest = i / g.channels;
    const int iw = static_cast<int>(rest % g.inW);
    rest /= g.inW;
    const int ih = static_cast<int>(rest % g.inH);
    const Index n = rest / g.inH;
    const float *dyBatch = dy + n * g.outH * static_cast<Index>(g.outW) * outChannels + ic * g.multiplier;
    const float *filterChannel = filter + ic * g.multiplier;
    float sum = 0.0f;
    for (int kh = 0; kh < g.filterH; kh++) {
      // Output row oh reads input row oh·strideH − padTop + kh·dilationH.
      const int th = ih + g.padTop - kh * g.dilationH;
      if (th < 0 || th % g.strideH != 0) continue;
      const int oh = th / g.strideH;
      if (oh >= g.outH) continue;
      for (int kw = 0; kw < g.filterW; kw++) {
        const int tw = iw + g.padLeft - kw * g.dilationW;
        if (tw < 0 || tw % g.strideW != 0) continue;
        const int ow = tw / g.strideW;
        if (ow >= g.outW) continue;
        const float *dyPixel = dyBatch + (static_cast<Index>(oh) * g.outW + ow) * outChannels;
        const float *w = filterChannel + (kh * g.filterW + kw) * outChannels;
        for (int q = 0; q < g.multiplier; q++) sum += dyPixel[q] * w[q];
      }
    }
    dx[i] = sum;
  }
}

/**
 * Partial filter gradients: block (x: a tile of blockDim.x output channels,
 * y: kh·filterW + kw, z: a slice of `chunk` pixels) writes
 * out[z][kh][kw][oc] = Σ over its pixels of x · dy. blockDim.y is a power of two.
 */
template <class Index>
__global__ void __launch_bounds__(kThreads)
    backpropFilter(float *__restrict__ out, const float *__restrict__ x, const float *__restrict__ dy,
                   DepthwiseGeometry g, Index pixels, Index chunk) {
  __shared__ float lanes[kThreads];
  const int outChannels = g.channels * g.multiplier;
  const int oc = blockIdx.x * blockDim.x + threadIdx.x;
  const int kh = blockIdx.y / g.filterW;
  const int kw = blockIdx.y % g.filterW;
  const Index begin = blockIdx.z * chunk;
  const Index end = ckMin(pixels, begin + chunk);
  float sum = 0.0f;
  if (oc < outChannels) {
    const int ic = oc / g.multiplier;
    const int hOffset = kh * g.dilationH - g.padTop;
    const int wOffset = kw * g.dilationW - g.padLeft;
    for (Index p = begin + threadIdx.y; p < end; p += blockDim.y) {
      const int ow = static_cast<int>(p % g.outW);
      const Index rest = p / g.outW;
      const int oh = static_cast<int>(rest % g.outH);
      const Index n = rest / g.outH;
      const int ih = oh * g.strideH + hOffset;
      const int iw = ow * g.strideW + wOffset;
      if (ih < 0 || ih >= g.inH || iw < 0 || iw >= g.inW) continue;
      sum += x[((n * g.inH + ih) * g.inW + iw) * g.channels + ic] * dy[p * outChannels + oc];
    }
  }
  const unsigned lane = threadIdx.y * blockDim.x + threadIdx.x;
  lanes[lane] = sum;
  __syncthreads();
  for (unsigned stride = blockDim.y / 2; stride > 0; stride >>= 1) {
    if (threadIdx.y < stride) lanes[lane] += lanes[lane + stride * blockDim.x];
    __syncthreads();
  }
  if (threadIdx.y == 0 && oc < outChannels) {
    out[(static_cast<int64_t>(blockIdx.z) * gridDim.y + blockIdx.y) * outChannels + oc] = lanes[threadIdx.x];
  }
}

/** dFilter[e] = Σ_s partials[s][e], in order of s. */
__global__ void __launch_bounds__(kThreads)
    sumPartials(float *__restrict__ dFilter, const float *__restrict__ partials, int64_t size, int splits) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < size; e += int64_t{blockDim.x} * gridDim.x) {
    float sum = 0.0f;
    for (int s = 0; s < splits; s++) sum += partials[s * size + e];
    dFilter[e] = sum;
  }
}

/** 32-bit indices when every flat index and the grid-stride step fit. */
inline bool small(int64_t count) { return count < (int64_t{1} << 30); }

int64_t inputCount(const DepthwiseGeometry &g) { return int64_t{g.batch} * g.inH * g.inW * g.channels; }
int64_t outputCount(const DepthwiseGeometry &g) {
  return int64_t{g.batch} * g.outH * g.outW * g.channels * g.multiplier;
}

}  // namespace depthwise

void launchDepthwiseConv2d(float *y, const float *x, const float *filter, const DepthwiseGeometry &g) {
  const int64_t count = depthwise::outputCount(g);
  if (count == 0) return;
  const unsigned blocks = blocksFor(count, depthwise::kThreads);
  if (depthwise::small(count) && depthwise::small(depthwise::inputCount(g))) {
    CK_LAUNCH(depthwise::forward<int32_t>, blocks, depthwise::kThreads, y, x, filter, g, static_cast<int32_t>(count));
  } else {
    CK_LAUNCH(depthwise::forward<int64_t>, blocks, depthwise::kThreads, y, x, filter, g, count);
  }
  checkLaunch("depthwiseConv2d");
}

void launchDepthwiseConv2dBackpropInput(float *dx, const float *dy, const float *filter, const DepthwiseGeometry &g) {
  const int64_t count = depthwise::inputCount(g);
  if (count == 0) return;
  const unsigned blocks = blocksFor(count, depthwise::kThreads);
  if (depthwise::small(count) && depthwise::small(depthwise::outputCount(g))) {
    CK_LAUNCH(depthwise::backpropInput<int32_t>, blocks, depthwise::kThreads, dx, dy, filter, g,
              static_cast<int32_t>(count));
  } else {
    CK_LAUNCH(depthwise::backpropInput<int64_t>, blocks, depthwise::kThreads, dx, dy, filter, g, count);
  }
  checkLaunch("depthwiseConv2dBackpropInput");
}

void launchDepthwiseConv2dBackpropFilter(float *dFilter, const float *x, const float *dy, const DepthwiseGeometry &g) {
  const int outChannels = g.channels * g.multiplier;
  const int taps = g.filterH * g.filterW;
  const int64_t size = int64_t{taps} * outChannels;
  if (size == 0) return;
  const int64_t pixels = int64_t{g.batch} * g.outH * g.outW;
  if (pixels == 0) {
    fillZero(dFilter, static_cast<size_t>(size) * sizeof(float));
    return;
  }
  // The tile: up to 32 output channels wide (a warp's coalesced row), the rest of 256 threads as pixel lanes.
  unsigned tx = 1;
  while (tx < 32 && static_cast<int>(tx) < outChannels) tx *= 2;
  const unsigned ty = depthwise::kThreads / tx;
  const int64_t tiles = (outChannels + tx - 1) / tx;
  // Split the pixels when that gives each block at least 16 rows per lane and the grid stays near 2048 blocks.
  const int64_t byWork = (pixels + ty * 16 - 1) / (ty * 16);
  const int64_t byGrid = (2048 + tiles * taps - 1) / (tiles * taps);
  int64_t splits = ckMax<int64_t>(1, ckMin<int64_t>(ckMin(byWork, byGrid), 65535));
  const int64_t chunk = (pixels + splits - 1) / splits;
  splits = (pixels + chunk - 1) / chunk;
  float *partials = splits == 1 ? dFilter : static_cast<float *>(allocate(static_cast<size_t>(splits * size) * 4));
  const dim3 grid(static_cast<unsigned>(tiles), static_cast<unsigned>(taps), static_cast<unsigned>(splits));
  const dim3 block(tx, ty);
  if (depthwise::small(depthwise::inputCount(g)) && depthwise::small(depthwise::outputCount(g))) {
    CK_LAUNCH(depthwise::backpropFilter<int32_t>, grid, block, partials, x, dy, g, static_cast<int32_t>(pixels),
              static_cast<int32_t>(chunk));
  } else {
    CK_LAUNCH(depthwise::backpropFilter<int64_t>, grid, block, partials, x, dy, g, pixels, chunk);
  }
  checkLaunch("depthwiseConv2dBackpropFilter");
  if (splits > 1) {
    CK_LAUNCH(depthwise::sumPartials, blocksFor(size, depthwise::kThreads), depthwise::kThreads, dFilter, partials,
              size, static_cast<int>(splits));
    checkLaunch("depthwiseConv2dBackpropFilter (sum)");
    release(partials);
  }
}

}  // namespace convkit::gpu
