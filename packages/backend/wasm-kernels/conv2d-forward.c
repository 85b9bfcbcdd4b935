// Conv2D forward for layers with few input channels (LeNet-5's first layer:
// x[N,28,28,1], w[5,5,1,6]), NHWC / HWIO, dilation 1, any strides and
// explicit pads, with the bias and a ReLU applied on the way out:
//   y[n, oh, ow, co] = act(bias[co] + sum over kh, kw, ci of x[n, oh*sh + kh - top, ow*sw + kw - left, ci] * w[kh, kw, ci, co]).
//
// Why not XNNPACK: it builds an operator for every new filter (every
// training step) and its GEMM wants many input channels; with Ci = 1 the
// whole product is only KH*KW multiply-adds per output. Here each image is
// copied once into a zero-bordered buffer in scratch (no bounds checks in the
// loop), the filter is packed as [co chunk][kh][kw][ci][8 or 4 channels] with
// zero lanes past Co, and 4 neighbouring output pixels x 8 output channels are
// accumulated in registers, then stored with exactly Co floats per pixel.
//
// Scratch (64-byte aligned, floats): wp KH*KW*Ci*roundup4(Co) | bias roundup4(Co)
// | image roundup4(PH*PW*Ci), PH = (OH-1)*sh + KH, PW = (OW-1)*sw + KW.
#include "simd.h"

static inline int up4(int n) { return (n + 3) & ~3; }

// Chunk c0 of the packed filter holds `width` output channels (the widest of
// `widest`, 8 and 4 that still fits; zero lanes past Co) for each of the k taps.
static inline int chunk_width(int left, int widest) { return left >= widest ? widest : left >= 8 ? 8 : 4; }

static void pack_filter(const f32 *w, f32 *wp, int k, int co_n, int cop, int widest) {
  for (int c0 = 0, width; c0 < cop; c0 += width) {
    width = chunk_width(cop - c0, widest);
    f32 *chunk = wp + c0 * k;
    for (int j = 0; j < k; j++)
      for (int l = 0; l < width; l++) chunk[j * width + l] = c0 + l < co_n ? w[j * co_n + c0 + l] : 0.f;
  }
}

// The rows and columns of image n that the windows reach, at their place in
// the zero-bordered buffer (whose borders stay zero from the first image on).
static void place_image(const f32 *x, f32 *img, int ih_n, int iw_n, int ci_n, int ph_n, int pw_n, int top, int left) {
  int cols = pw_n - left < iw_n ? pw_n - left : iw_n, len = cols * ci_n;
  for (int ih = 0; ih < ih_n && ih + top < ph_n; ih++) {
    const f32 *s = x + ih * iw_n * ci_n;
    f32 *d = img + ((ih + top) * pw_n + left) * ci_n;
    int i = 0;
    for (; i + 4 <= len; i += 4) st(d + i, ld(s + i));
    for (; i < len; i++) d[i] = s[i];
  }
}

// Stores lanes 0..n-1 (n = 1..4) of a: the last output channels of a pixel.
static inline void store_n(f32 *p, v a, int n) {
  if (n >= 4) {
    st(p, a);
    return;
  }
  // Lane 0 first, then 1, then 2: constant lanes only (a lane chosen by n
  // would make clang spill the vector to the C stack, which the module may not use).
  p[0] = wasm_f32x4_extract_lane(a, 0);
  if (n > 1) p[1] = wasm_f32x4_extract_lane(a, 1);
  if (n > 2) p[2] = wasm_f32x4_extract_lane(a, 2);
}

static inline v finish(v acc, v b, int relu) {
  acc = wasm_f32x4_add(acc, b);
  // pmax(acc, 0) is acc < 0 ? 0 : acc, tfjs' ReLU exactly (NaN stays NaN).
  return relu ? wasm_f32x4_pmax(acc, wasm_f32x4_splat(0.f)) : acc;
}

// One output pixel's 8 channels (`left_n` of them real) from its accumulators.
static inline void put8(f32 *y, v a0, v a1, const f32 *b, int left_n, int relu) {
  a0 = finish(a0, ld(b), relu);
  if (left_n <= 4) {
    store_n(y, a0, left_n);
    return;
  }
  st(y, a0);
  store_n(y + 4, finish(a1, ld(b + 4), relu), left_n - 4);
}

// 4 pixels `step` floats apart in the image buffer x 8 output channels over
// the k = KH*KW*Ci taps; pixels past m are computed from pixel 0 and dropped.
static inline void tile4x8(const f32 *xr, int step, int m, int kh_n, int kw_n, int ci_n, int row, const f32 *wk,
                           const f32 *b, f32 *y, int co_n, int left_n, int relu) {
  v z = wasm_f32x4_splat(0.f), a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, e0 = z, e1 = z;
  const f32 *x1 = xr + (m > 1 ? step : 0), *x2 = xr + (m > 2 ? 2 * step : 0), *x3 = xr + (m > 3 ? 3 * step : 0);
  for (int kh = 0; kh < kh_n; kh++)
    for (int t = 0; t < kw_n * ci_n; t++, wk += 8) {
      int at = kh * row + t;
      v w0 = ld(wk), w1 = ld(wk + 4), s;
      s = splat(xr + at); a0 = madd(a0, s, w0); a1 = madd(a1, s, w1);
      s = splat(x1 + at); b0 = madd(b0, s, w0); b1 = madd(b1, s, w1);
      s = splat(x2 + at); c0 = madd(c0, s, w0); c1 = madd(c1, s, w1);
      s = splat(x3 + at); e0 = madd(e0, s, w0); e1 = madd(e1, s, w1);
    }
  put8(y, a0, a1, b, left_n, relu);
  if (m > 1) put8(y + co_n, b0, b1, b, left_n, relu);
  if (m > 2) put8(y + 2 * co_n, c0, c1, b, left_n, relu);
  if (m > 3) put8(y + 3 * co_n, e0, e1, b, left_n, relu);
}

// The same for the last chunk of 4 output channels (when roundup4(Co) is not a multiple of 8).
static inline void tile4x4(const f32 *xr, int step, int m, int kh_n, int kw_n, int ci_n, int row, const f32 *wk,
                           const f32 *b, f32 *y, int co_n, int left_n, int relu) {
  v a = wasm_f32x4_splat(0.f), c = a, d = a, e = a;
  const f32 *x1 = xr + (m > 1 ? step : 0), *x2 = xr + (m > 2 ? 2 * step : 0), *x3 = xr + (m > 3 ? 3 * step : 0);
  for (int kh = 0; kh < kh_n; kh++)
    for (int t = 0; t < kw_n * ci_n; t++, wk += 4) {
      int at = kh * row + t;
      v w0 = ld(wk);
      a = madd(a, splat(xr + at), w0); c = madd(c, splat(x1 + at), w0);
      d = madd(d, splat(x2 + at), w0); e = madd(e, splat(x3 + at), w0);
    }
  v bias = ld(b);
  store_n(y, finish(a, bias, relu), left_n);
  if (m > 1) store_n(y + co_n, finish(c, bias, relu), left_n);
  if (m > 2) store_n(y + 2 * co_n, finish(d, bias, relu), left_n);
  if (m > 3) store_n(y + 3 * co_n, finish(e, bias, relu), left_n);
}

EXPORT(conv2d_forward)
void conv2d_forward(const f32 *x, const f32 *w, const f32 *bias, f32 *y, f32 *scratch, int n_n, int ih_n, int iw_n,
                    int ci_n, int oh_n, int ow_n, int co_n, int kh_n, int kw_n, int sh, int sw, int top, int left,
                    int has_bias, int relu) {
  int k = kh_n * kw_n * ci_n, cop = up4(co_n);
  int ph_n = (oh_n - 1) * sh + kh_n, pw_n = (ow_n - 1) * sw + kw_n, row = pw_n * ci_n, step = sw * ci_n;
  f32 *wp = ALIGN64(scratch), *b = wp + k * cop, *img = b + cop;
  int img_n = up4(ph_n * pw_n * ci_n);
  pack_filter(w, wp, k, co_n, cop, 8);
  for (int c = 0; c < cop; c++) b[c] = 0.f;
  if (has_bias)
    for (int c = 0; c < co_n; c++) b[c] = bias[c];
  v z = wasm_f32x4_splat(0.f);
  for (int i = 0; i < img_n; i += 4) st(img + i, z);
  for (int n = 0; n < n_n; n++) {
    place_image(x + n * ih_n * iw_n * ci_n, img, ih_n, iw_n, ci_n, ph_n, pw_n, top, left);
    for (int oh = 0; oh < oh_n; oh++) {
      const f32 *xrow = img + oh * sh * row;
      f32 *yrow = y + (n * oh_n + oh) * ow_n * co_n;
      for (int ow = 0; ow < ow_n; ow += 4) {
        int m = ow_n - ow < 4 ? ow_n - ow : 4;
        for (int c0 = 0; c0 < cop; c0 += 8) {
          const f32 *wk = wp + c0 * k;
          int left_n = co_n - c0;
          if (cop - c0 >= 8)
            tile4x8(xrow + ow * step, step, m, kh_n, kw_n, ci_n, row, wk, b + c0, yrow + ow * co_n + c0, co_n,
                    left_n, relu);
          else
            tile4x4(xrow + ow * step, step, m, kh_n, kw_n, ci_n, row, wk, b + c0, yrow + ow * co_n + c0, co_n,
                    left_n, relu);
        }
      }
    }
  }
}

// Conv2D forward for layers with many channels (LeNet-5's second layer:
// x[N,14,14,6], w[5,5,6,16]); same arguments, scratch and semantics as
// conv2d_forward above. The filter is packed in chunks of 16 output channels
// (then 8, then 4), and 2 neighbouring output pixels x 16 channels are
// accumulated in registers: per tap, 2 splats of x and 4 weight vectors feed 8
// multiply-adds, and 8 accumulators + 2 splats + 1 weight + 1 product fit
// x86's 15 usable vector registers (3 pixels would spill).
// 2 pixels `step` floats apart x 16 output channels; a pixel past m is computed from pixel 0 and dropped.
static inline void tile2x16(const f32 *xr, int step, int m, int kh_n, int kwci, int row, const f32 *wk,
                            const f32 *b, f32 *y, int co_n, int left_n, int relu) {
  v z = wasm_f32x4_splat(0.f), a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z;
  const f32 *x1 = xr + (m > 1 ? step : 0);
  for (int kh = 0; kh < kh_n; kh++) {
    const f32 *p0 = xr + kh * row, *p1 = x1 + kh * row;
    for (int t = 0; t < kwci; t++, wk += 16) {
      v s0 = splat(p0 + t), s1 = splat(p1 + t), w;
      w = ld(wk); a0 = madd(a0, s0, w); b0 = madd(b0, s1, w);
      w = ld(wk + 4); a1 = madd(a1, s0, w); b1 = madd(b1, s1, w);
      w = ld(wk + 8); a2 = madd(a2, s0, w); b2 = madd(b2, s1, w);
      w = ld(wk + 12); a3 = madd(a3, s0, w); b3 = madd(b3, s1, w);
    }
  }
  put8(y, a0, a1, b, left_n, relu);
  if (left_n > 8) put8(y + 8, a2, a3, b + 8, left_n - 8, relu);
  if (m < 2) return;
  put8(y + co_n, b0, b1, b, left_n, relu);
  if (left_n > 8) put8(y + co_n + 8, b2, b3, b + 8, left_n - 8, relu);
}

// One output row of image buffer rows starting at xrow: every chunk of output channels, 2 or 4 pixels at a time.
static void row16(const f32 *xrow, f32 *yrow, const f32 *wp, const f32 *b, int ow_n, int step, int k, int cop,
                  int co_n, int kh_n, int kw_n, int ci_n, int row, int relu) {
  for (int c0 = 0, width; c0 < cop; c0 += width) {
    width = chunk_width(cop - c0, 16);
    int left_n = co_n - c0, tile = width == 16 ? 2 : 4;
    const f32 *wk = wp + c0 * k;
    for (int ow = 0; ow < ow_n; ow += tile) {
      int m = ow_n - ow < tile ? ow_n - ow : tile;
      const f32 *xr = xrow + ow * step;
      f32 *yp = yrow + ow * co_n + c0;
      if (width == 16)
        tile2x16(xr, step, m, kh_n, kw_n * ci_n, row, wk, b + c0, yp, co_n, left_n, relu);
      else if (width == 8)
        tile4x8(xr, step, m, kh_n, kw_n, ci_n, row, wk, b + c0, yp, co_n, left_n, relu);
      else
        tile4x4(xr, step, m, kh_n, kw_n, ci_n, row, wk, b + c0, yp, co_n, left_n, relu);
    }
  }
}

EXPORT(conv2d_forward_wide)
void conv2d_forward_wide(const f32 *x, const f32 *w, const f32 *bias, f32 *y, f32 *scratch, int n_n, int ih_n,
                         int iw_n, int ci_n, int oh_n, int ow_n, int co_n, int kh_n, int kw_n, int sh, int sw,
                         int top, int left, int has_bias, int relu) {
  int k = kh_n * kw_n * ci_n, cop = up4(co_n);
  int ph_n = (oh_n - 1) * sh + kh_n, pw_n = (ow_n - 1) * sw + kw_n, row = pw_n * ci_n;
  f32 *wp = ALIGN64(scratch), *b = wp + k * cop, *img = b + cop;
  int img_n = up4(ph_n * pw_n * ci_n);
  pack_filter(w, wp, k, co_n, cop, 16);
  for (int c = 0; c < cop; c++) b[c] = has_bias && c < co_n ? bias[c] : 0.f;
  v z = wasm_f32x4_splat(0.f);
  for (int i = 0; i < img_n; i += 4) st(img + i, z);
  for (int n = 0; n < n_n; n++) {
    place_image(x + n * ih_n * iw_n * ci_n, img, ih_n, iw_n, ci_n, ph_n, pw_n, top, left);
    for (int oh = 0; oh < oh_n; oh++)
      row16(img + oh * sh * row, y + (n * oh_n + oh) * ow_n * co_n, wp, b, ow_n, sw * ci_n, k, cop, co_n, kh_n,
            kw_n, ci_n, row, relu);
  }
}
