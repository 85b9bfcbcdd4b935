// Convolutions as implicit GEMMs (conv.h) on the SGEMM core of matmul.h.
//
// forward:  M = batch·outH·outW, N = outC, K = filterH·filterW·inC; A(m, k)
//           is the input pixel tap k of output pixel m, B is the HWIO filter
//           itself (K×N, row-major), C is y (M×N, row-major).
// dx:       one GEMM per output phase (ih mod strideH, iw mod strideW), all
//           in one launch (blockIdx.z): only the taps that reach a phase's
//           rows count, so a strided convolution's gradient multiplies no zeros.
//           M = batch·rows·columns of the phase, N = inC, K = taps·outC.
// dw:       M = filterH·filterW·inC, N = outC, K = batch·outH·outW; K is split
//           across blocks whose partial sums are added atomically into a
//           zeroed dw (M·N is small and K huge).
#define CONVKIT_GEMM_CORE
#include "conv.h"

namespace convkit::gpu {
namespace conv {

using gemm::lane;
using gemm::zero4;

inline bool aligned16(const void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

/** A forward's A: im2col of x, m = (b, oh, ow), k = (kh, kw, c), loaded along k (channels are contiguous). */
struct ForwardA {
  static constexpr bool kAlongK = true;
  const float *x;
  int inH, inW, C, outH, outW, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft, M, K;
  bool vec;  // C % 4 == 0: k..k+3 are channels of one tap

  struct Row {
    const float *image;
    int ih0, iw0;
    bool valid;
  };
  __device__ __forceinline__ Row row(int m) const {
    Row r;
    r.valid = m < M;
    const int mm = r.valid ? m : 0;
    const int ow = mm % outW, t = mm / outW;
    const int oh = t % outH, b = t / outH;
    r.image = x + int64_t{b} * inH * inW * C;
    r.ih0 = oh * strideH - padTop;
    r.iw0 = ow * strideW - padLeft;
    return r;
  }
  typedef gemm::Digits Col;  // (kh, kw, c)
  __device__ __forceinline__ Col col(int k) const {
    Col d;
    d.set(k, C, filterW);
    return d;
  }
  __device__ __forceinline__ void advance(Col &d, int step) const { d.advance(step, C, filterW); }
  __device__ __forceinline__ float4 load(const Row &r, const Col &col) const {
    float4 v = zero4();
    if (!r.valid || col.k >= K) return v;
    if (vec) {
      const int ih = r.ih0 + col.outer * dilationH, iw = r.iw0 + col.middle * dilationW;
      if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
        v = *reinterpret_cast<const float4 *>(r.image + (ih * inW + iw) * C + col.inner);
      }
      return v;
    }
    Col d = col;
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < 4; j++) {
      if (d.k < K) {
        const int ih = r.ih0 + d.outer * dilationH, iw = r.iw0 + d.middle * dilationW;
        if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) lane(v, j) = r.image[(ih * inW + iw) * C + d.inner];
      }
      d.increment(C, filterW);
    }
    return v;
  }
};

struct Forward {
  typedef ForwardA A;
  typedef gemm::Strided<false> B;
  ForwardA la;
  B lb;
  float *c;
  int M, N, K;
  bool vecC;
  __device__ __forceinline__ void begin(int) {}
  __device__ __forceinline__ A a() const { return la; }
  __device__ __forceinline__ B b() const { return lb; }
  __device__ __forceinline__ int64_t rowC(int m) const { return int64_t{m} * N; }
};

/** dw's A: m = (kh, kw, c), k = (b, oh, ow) → x, loaded along m (4 channels of one tap). */
struct FilterA {
  static constexpr bool kAlongK = false;
  const float *x;
  int inH, inW, C, outH, outW, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft, M, K;
  bool vec;  // C % 4 == 0: rows m..m+3 are channels c..c+3 of one tap

  struct Row {
    int offH[4], offW[4], c[4];
    int count;
  };
  __device__ __forceinline__ Row row(int m) const {
    Row r;
    r.count = ckMax(0, ckMin(4, M - m));
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < 4; j++) {
      const int mm = j < r.count ? m + j : 0;
      const int c = mm % C, t = mm / C;
      r.c[j] = c;
      r.offW[j] = (t % filterW) * dilationW - padLeft;
      r.offH[j] = (t / filterW) * dilationH - padTop;
    }
    return r;
  }
  typedef gemm::Digits Col;  // (b, oh, ow)
  __device__ __forceinline__ Col col(int k) const {
    Col d;
    d.set(k, outW, outH);
    return d;
  }
  __device__ __forceinline__ void advance(Col &d, int step) const { d.advance(step, outW, outH); }
  __device__ __forceinline__ float4 load(const Row &r, const Col &col) const {
    float4 v = zero4();
    if (col.k >= K || r.count == 0) return v;
    const float *image = x + int64_t{col.outer} * inH * inW * C;
    const int ih0 = col.middle * strideH, iw0 = col.inner * strideW;
    if (vec) {
      const int ih = ih0 + r.offH[0], iw = iw0 + r.offW[0];
      if (ih >= 0 && ih < inH && iw >= 0 && iw < inW) {
        v = *reinterpret_cast<const float4 *>(image + (ih * inW + iw) * C + r.c[0]);
      }
      return v;
    }
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < 4; j++) {
      const int ih = ih0 + r.offH[j], iw = iw0 + r.offW[j];
      if (j < r.count && ih >= 0 && ih < inH && iw >= 0 && iw < inW) lane(v, j) = image[(ih * inW + iw) * C + r.c[j]];
    }
    return v;
  }
};

struct Filter {
  typedef FilterA A;
  typedef gemm::Strided<false> B;
  FilterA la;
  B lb;
  float *c;
  int M, N, K;
  bool vecC;
  __device__ __forceinline__ void begin(int) {}
  __device__ __forceinline__ A a() const { return la; }
  __device__ __forceinline__ B b() const { return lb; }
  __device__ __forceinline__ int64_t rowC(int m) const { return int64_t{m} * N; }
};

/**
 * The taps of one filter axis that reach the input rows r, r + stride, ...
 * (a phase): kh = first + i·step for i < count, and the output row they
 * read for input row r + j·stride is j + offset − i·offsetStep.
 */
struct Taps {
  int rows;  // input rows in the phase
  int first, step, count, offset, offsetStep;
};
__device__ __forceinline__ Taps taps(int r, int in, int stride, int dilation, int pad, int filter) {
  Taps t;
  t.rows = r < in ? (in - r + stride - 1) / stride : 0;
  int a = dilation, b = stride;
  while (b != 0) {
    const int rest = a % b;
    a = b;
    b = rest;
  }
  t.step = stride / a;
  t.first = -1;
  for (int kh = 0; kh < ckMin(t.step, filter); kh++) {
    if ((r + pad - kh * dilation) % stride == 0) {
      t.first = kh;
      break;
    }
  }
  t.count = t.first < 0 ? 0 : (filter - t.first + t.step - 1) / t.step;
  if (t.first < 0) t.first = 0;
  t.offset = (r + pad - t.first * dilation) / stride;
  t.offsetStep = dilation / a;
  return t;
}

/** dx's A: m = (b, i, j) of a phase, k = (tap row, tap column, o) → dy, loaded along k (dy's channels). */
struct InputA {
  static constexpr bool kAlongK = true;
  const float *dy;
  int outH, outW, OC, rowsI, rowsJ, countW, offH, offStepH, offW, offStepW, M, K;
  bool vec;  // OC % 4 == 0

  struct Row {
    const float *image;
    int i, j;
    bool valid;
  };
  __device__ __forceinline__ Row row(int m) const {
    Row r;
    r.valid = m < M;
    const int mm = r.valid ? m : 0;
    r.j = mm % rowsJ;
    const int t = mm / rowsJ;
    r.i = t % rowsI;
    r.image = dy + int64_t{t / rowsI} * outH * outW * OC;
    return r;
  }
  typedef gemm::Digits Col;  // (tap row, tap column, o)
  __device__ __forceinline__ Col col(int k) const {
    Col d;
    d.set(k, OC, countW);
    return d;
  }
  __device__ __forceinline__ void advance(Col &d, int step) const { d.advance(step, OC, countW); }
  __device__ __forceinline__ float4 load(const Row &r, const Col &col) const {
    float4 v = zero4();
    if (!r.valid || col.k >= K) return v;
    if (vec) {
      const int oh = r.i + offH - col.outer * offStepH, ow = r.j + offW - col.middle * offStepW;
      if (oh >= 0 && oh < outH && ow >= 0 && ow < outW) {
        v = *reinterpret_cast<const float4 *>(r.image + (oh * outW + ow) * OC + col.inner);
      }
      return v;
    }
    Col d = col;
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < 4; j++) {
      if (d.k < K) {
        const int oh = r.i + offH - d.outer * offStepH, ow = r.j + offW - d.middle * offStepW;
        if (oh >= 0 && oh < outH && ow >= 0 && ow < outW) lane(v, j) = r.image[(oh * outW + ow) * OC + d.inner];
      }
      d.increment(OC, countW);
    }
    return v;
  }
};

/** dx's B: n = c, k = (tap row, tap column, o) → filter[kh][kw][c][o], loaded along k. */
struct InputB {
  static constexpr bool kAlongK = true;
  const float *w;
  int C, OC, filterW, firstH, stepH, firstW, stepW, countW, K;
  bool vec;  // OC % 4 == 0

  struct Row {
    int offset;
    bool valid;
  };
  __device__ __forceinline__ Row row(int n) const {
    Row r;
    r.valid = n < C;
    r.offset = n * OC;
    return r;
  }
  __device__ __forceinline__ const float *tap(int th, int tw) const {
    return w + ((firstH + th * stepH) * filterW + firstW + tw * stepW) * C * OC;
  }
  typedef gemm::Digits Col;  // (tap row, tap column, o)
  __device__ __forceinline__ Col col(int k) const {
    Col d;
    d.set(k, OC, countW);
    return d;
  }
  __device__ __forceinline__ void advance(Col &d, int step) const { d.advance(step, OC, countW); }
  __device__ __forceinline__ float4 load(const Row &r, const Col &col) const {
    float4 v = zero4();
    if (!r.valid || col.k >= K) return v;
    if (vec) return *reinterpret_cast<const float4 *>(tap(col.outer, col.middle) + r.offset + col.inner);
    Col d = col;
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < 4; j++) {
      if (d.k < K) lane(v, j) = tap(d.outer, d.middle)[r.offset + d.inner];
      d.increment(OC, countW);
    }
    return v;
  }
};

struct Input {
  typedef InputA A;
  typedef InputB B;
  const float *dy, *w;
  float *c;
  ConvGeometry g;
  bool vecA, vecC;
  // The phase, set by begin().
  int rh, rw, M, N, K;
  Taps th, tw;

  __device__ __forceinline__ void begin(int z) {
    rh = z / g.strideW;
    rw = z % g.strideW;
    th = taps(rh, g.inH, g.strideH, g.dilationH, g.padTop, g.filterH);
    tw = taps(rw, g.inW, g.strideW, g.dilationW, g.padLeft, g.filterW);
    M = g.batch * th.rows * tw.rows;
    N = g.inC;
    K = th.count * tw.count * g.outC;
  }
  __device__ __forceinline__ A a() const {
    A a;
    a.dy = dy;
    a.outH = g.outH;
    a.outW = g.outW;
    a.OC = g.outC;
    a.rowsI = th.rows;
    a.rowsJ = tw.rows;
    a.countW = ckMax(tw.count, 1);  // a phase without taps has K = 0: nothing is loaded, but no division by 0
    a.offH = th.offset;
    a.offStepH = th.offsetStep;
    a.offW = tw.offset;
    a.offStepW = tw.offsetStep;
    a.M = M;
    a.K = K;
    a.vec = vecA;
    return a;
  }
  __device__ __forceinline__ B b() const {
    B b;
    b.w = w;
    b.C = g.inC;
    b.OC = g.outC;
    b.filterW = g.filterW;
    b.firstH = th.first;
    b.stepH = th.step;
    b.firstW = tw.first;
    b.stepW = tw.step;
    b.countW = ckMax(tw.count, 1);
    b.K = K;
    b.vec = vecA;
    return b;
  }
  __device__ __forceinline__ int64_t rowC(int m) const {
    const int j = m % tw.rows, t = m / tw.rows;
    const int i = t % th.rows, b = t / th.rows;
    return ((int64_t{b} * g.inH + rh + i * g.strideH) * g.inW + rw + j * g.strideW) * g.inC;
  }
};

/** A 1×1 convolution with stride 1 and no padding is a plain matrix product over the pixels. */
inline bool pointwise(const ConvGeometry &g) {
  return g.filterH == 1 && g.filterW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.outH == g.inH && g.outW == g.inW;
}

}  // namespace conv

void launchConv2d(const float *x, const float *filter, float *y, const ConvGeometry &g, const float *bias,
                  int biasStride, int activation, float alpha, GemmPlan plan) {
  const int64_t M = int64_t{g.batch} * g.outH * g.outW;
  const int N = g.outC, K = g.filterH * g.filterW * g.inC;
  if (M == 0 || N == 0) return;
  if (conv::pointwise(g)) {
    launchBatchMatMul(x, filter, y, 1, 1, 1, static_cast<int>(M), N, K, false, false, bias, biasStride, activation,
                      alpha, plan);
    return;
  }
  int tile, splits;
  gemm::plan(M, N, K, 1, plan, true, tile, splits);
  conv::Forward p{};
  conv::ForwardA &a = p.la;
  a.x = x;
  a.inH = g.inH;
  a.inW = g.inW;
  a.C = ckMax(g.inC, 1);  // no channels: K = 0, nothing is loaded, but the digits must not divide by 0
  a.outH = g.outH;
  a.outW = g.outW;
  a.filterW = g.filterW;
  a.strideH = g.strideH;
  a.strideW = g.strideW;
  a.dilationH = g.dilationH;
  a.dilationW = g.dilationW;
  a.padTop = g.padTop;
  a.padLeft = g.padLeft;
  a.M = static_cast<int>(M);
  a.K = K;
  a.vec = g.inC % 4 == 0 && conv::aligned16(x);
  p.lb = gemm::Strided<false>{filter, N, N, K, N % 4 == 0 && conv::aligned16(filter)};
  p.c = y;
  p.M = static_cast<int>(M);
  p.N = N;
  p.K = K;
  p.vecC = N % 4 == 0 && conv::aligned16(y);
  const gemm::Epilogue e{bias, biasStride, activation, alpha, splits > 1};
  if (splits > 1) fillZero(y, static_cast<size_t>(M * N) * sizeof(float));
  gemm::launchTile(tile, p, e, M, N, 1, splits, "conv2d");
  if (splits > 1) launchBiasActivation(y, M, N, bias, biasStride, activation, alpha);
}

void launchConv2dBackpropInput(const float *dy, const float *filter, float *dx, const ConvGeometry &g,
                               GemmPlan plan) {
  const int64_t pixels = int64_t{g.batch} * g.inH * g.inW;
  if (pixels == 0 || g.inC == 0) return;
  if (g.outC == 0) {  // no output channels: nothing flows back
    fillZero(dx, static_cast<size_t>(pixels * g.inC) * sizeof(float));
    return;
  }
  if (conv::pointwise(g)) {  // dx (pixels × inC) = dy (pixels × outC) · filterᵀ
    launchBatchMatMul(dy, filter, dx, 1, 1, 1, static_cast<int>(pixels), g.inC, g.outC, false, true, nullptr, 0,
                      kGemmLinear, 0.0f, plan);
    return;
  }
  // The largest phase (rows ≡ 0) and the most taps any phase has.
  const int64_t maxM = int64_t{g.batch} * ((g.inH + g.strideH - 1) / g.strideH) * ((g.inW + g.strideW - 1) / g.strideW);
  const int64_t maxK = int64_t{(g.filterH + g.strideH - 1) / g.strideH} * ((g.filterW + g.strideW - 1) / g.strideW) *
                       g.outC;
  const int64_t phases = int64_t{g.strideH} * g.strideW;
  int tile, splits;
  gemm::plan(maxM, g.inC, maxK, phases, plan, true, tile, splits);
  conv::Input p{};
  p.dy = dy;
  p.w = filter;
  p.c = dx;
  p.g = g;
  p.vecA = g.outC % 4 == 0 && conv::aligned16(dy) && conv::aligned16(filter);
  p.vecC = g.inC % 4 == 0 && conv::aligned16(dx);
  const gemm::Epilogue e{nullptr, 0, kGemmLinear, 0.0f, splits > 1};
  if (splits > 1) fillZero(dx, static_cast<size_t>(pixels * g.inC) * sizeof(float));
  gemm::launchTile(tile, p, e, maxM, g.inC, phases, splits, "conv2dBackpropInput");
}

void launchConv2dBackpropFilter(const float *x, const float *dy, float *dw, const ConvGeometry &g, GemmPlan plan) {
  const int M = g.filterH * g.filterW * g.inC, N = g.outC;
  const int64_t K = int64_t{g.batch} * g.outH * g.outW;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    fillZero(dw, static_cast<size_t>(M) * N * sizeof(float));
    return;
  }
  if (conv::pointwise(g)) {  // dw (inC × outC) = xᵀ (inC × pixels) · dy (pixels × outC)
    launchBatchMatMul(x, dy, dw, 1, 1, 1, M, N, static_cast<int>(K), true, false, nullptr, 0, kGemmLinear, 0.0f, plan);
    return;
  }
  int tile, splits;
  gemm::plan(M, N, K, 1, plan, true, tile, splits);
  conv::Filter p{};
  conv::FilterA &a = p.la;
  a.x = x;
  a.inH = g.inH;
  a.inW = g.inW;
  a.C = g.inC;
  a.outH = g.outH;
  a.outW = g.outW;
  a.filterW = g.filterW;
  a.strideH = g.strideH;
  a.strideW = g.strideW;
  a.dilationH = g.dilationH;
  a.dilationW = g.dilationW;
  a.padTop = g.padTop;
  a.padLeft = g.padLeft;
  a.M = M;
  a.K = static_cast<int>(K);
  a.vec = g.inC % 4 == 0 && conv::aligned16(x);
  p.lb = gemm::Strided<false>{dy, N, N, static_cast<int>(K), N % 4 == 0 && conv::aligned16(dy)};
  p.c = dw;
  p.M = M;
  p.N = N;
  p.K = static_cast<int>(K);
  p.vecC = N % 4 == 0 && conv::aligned16(dw);
  const gemm::Epilogue e{nullptr, 0, kGemmLinear, 0.0f, splits > 1};
  if (splits > 1) fillZero(dw, static_cast<size_t>(M) * N * sizeof(float));
  gemm::launchTile(tile, p, e, M, N, 1, splits, "conv2dBackpropFilter");
}

}  // namespace convkit::gpu
