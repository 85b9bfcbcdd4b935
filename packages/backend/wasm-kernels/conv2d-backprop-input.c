// Conv2DBackpropInput (the input gradient of a 2-D convolution), NHWC / HWIO,
// dilation 1, any strides and explicit pads:
//   dx[n, ih, iw, ci] = sum over kh, kw, co with ih = oh*sh + kh - top, iw = ow*sw + kw - left
//                       of dy[n, oh, ow, co] * w[kh, kw, ci, co].
//
// Why this shape of loop: for one dy pixel and one filter row kh, the products
// sum_co dy[p, co] * w[kh, kw, ci, co] for all (kw, ci) form ONE contiguous run
// of KW*Ci floats of dx (row oh*sh + kh, from column ow*sw), whatever the
// stride. So the kernel is a small GEMM, [pixels, Co] x [Co, KH x KW*Ci],
// vectorised along KW*Ci (every lane busy even when Ci is 1 or 6), whose 4x8
// tiles are added straight into a zero-padded copy of the image (no bounds
// checks in the loop), and whose interior is copied out to dx per image.
// The 4 pixels of a tile are `reach` columns apart (or in other rows), so
// their read-modify-writes never touch the same floats: no store-to-load
// forwarding stalls. Each run is padded to a multiple of 4 with zero filter
// columns; those lanes are masked to +0 so they add nothing (not even a NaN)
// to the neighbouring pixel.
//
// Scratch (64-byte aligned, floats): wp KH*Lp*Co | image roundup4(PH*PW*Ci) + 4,
// Lp = roundup4(KW*Ci), PH = (OH-1)*sh + KH, PW = (OW-1)*sw + KW.
#include "simd.h"

static inline int up4(int n) { return (n + 3) & ~3; }

// w[KH,KW,Ci,Co] -> wp[kh][chunk of 8 (the last 4) of Lp columns (kw, ci)][Co][width], zero past KW*Ci.
static void pack_filter(const f32 *w, f32 *wp, int kh_n, int run, int lp, int co_n) {
  for (int kh = 0; kh < kh_n; kh++)
    for (int c0 = 0; c0 < lp; c0 += 8) {
      int width = lp - c0 < 8 ? lp - c0 : 8;
      f32 *chunk = wp + (kh * lp + c0) * co_n;
      for (int co = 0; co < co_n; co++)
        for (int l = 0; l < width; l++)
          chunk[co * width + l] = c0 + l < run ? w[(kh * run + c0 + l) * co_n + co] : 0.f;
    }
}

static inline void add_to(f32 *o, v a) { st(o, wasm_f32x4_add(ld(o), a)); }

// 4 pixels x 8 columns: 8 accumulators, few enough that V8 keeps them in
// registers. Pixels past m (the image's last group) repeat pixel 0 and are not stored.
static inline void tile4x2(const f32 *d0, const f32 *d1, const f32 *d2, const f32 *d3, int co_n, const f32 *wk,
                           f32 *o0, f32 *o1, f32 *o2, f32 *o3, int m, v mask) {
  v z = wasm_f32x4_splat(0.f);
  v a0 = z, a1 = z, b0 = z, b1 = z, c0 = z, c1 = z, e0 = z, e1 = z;
  for (int co = 0; co < co_n; co++) {
    v w0 = ld(wk + co * 8), w1 = ld(wk + co * 8 + 4), s;
    s = splat(d0 + co); a0 = madd(a0, s, w0); a1 = madd(a1, s, w1);
    s = splat(d1 + co); b0 = madd(b0, s, w0); b1 = madd(b1, s, w1);
    s = splat(d2 + co); c0 = madd(c0, s, w0); c1 = madd(c1, s, w1);
    s = splat(d3 + co); e0 = madd(e0, s, w0); e1 = madd(e1, s, w1);
  }
  add_to(o0, a0); add_to(o0 + 4, wasm_v128_and(a1, mask));
  if (m > 1) { add_to(o1, b0); add_to(o1 + 4, wasm_v128_and(b1, mask)); }
  if (m > 2) { add_to(o2, c0); add_to(o2 + 4, wasm_v128_and(c1, mask)); }
  if (m > 3) { add_to(o3, e0); add_to(o3 + 4, wasm_v128_and(e1, mask)); }
}

// 4 pixels x 4 columns: the last chunk of a run when Lp is not a multiple of 8.
static inline void tile4x1(const f32 *d0, const f32 *d1, const f32 *d2, const f32 *d3, int co_n, const f32 *wk,
                           f32 *o0, f32 *o1, f32 *o2, f32 *o3, int m, v mask) {
  v a = wasm_f32x4_splat(0.f), b = a, c = a, e = a;
  for (int co = 0; co < co_n; co++) {
    v w0 = ld(wk + co * 4);
    a = madd(a, splat(d0 + co), w0); b = madd(b, splat(d1 + co), w0);
    c = madd(c, splat(d2 + co), w0); e = madd(e, splat(d3 + co), w0);
  }
  add_to(o0, wasm_v128_and(a, mask));
  if (m > 1) add_to(o1, wasm_v128_and(b, mask));
  if (m > 2) add_to(o2, wasm_v128_and(c, mask));
  if (m > 3) add_to(o3, wasm_v128_and(e, mask));
}

// Copies the interior of the padded image to dx[IH, IW, Ci]; rows and columns
// of dx that no tap reaches (pads past the last window) become 0.
static void copy_out(const f32 *img, f32 *dx, int ph_n, int pw_n, int ih_n, int iw_n, int ci_n, int top, int left) {
  int inside = pw_n - left < iw_n ? pw_n - left : iw_n;
  if (inside < 0) inside = 0;
  int row = iw_n * ci_n, len = inside * ci_n;
  v z = wasm_f32x4_splat(0.f);
  for (int ih = 0; ih < ih_n; ih++) {
    f32 *o = dx + ih * row;
    int start = 0;
    if (ih + top < ph_n) {
      const f32 *s = img + ((ih + top) * pw_n + left) * ci_n;
      for (; start + 4 <= len; start += 4) st(o + start, ld(s + start));
      for (; start < len; start++) o[start] = s[start];
    }
    for (; start + 4 <= row; start += 4) st(o + start, z);
    for (; start < row; start++) o[start] = 0.f;
  }
}

// The dy pixel sequence: rows in order; within a row, columns `reach` apart
// (phase 0: 0, reach, 2*reach, ...; then phase 1, ...).
#define NEXT_PIXEL(d_, o_)                                                                 \
  do {                                                                                     \
    d_ = dyn + (oh * ow_n + ow) * co_n;                                                    \
    o_ = img + (oh * sh * pw_n + ow * sw) * ci_n;                                          \
    ow += reach;                                                                           \
    if (ow >= ow_n) {                                                                      \
      if (++phase >= reach || phase >= ow_n) phase = 0, oh++;                              \
      ow = phase;                                                                          \
    }                                                                                      \
  } while (0)

EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const f32 *dy, const f32 *w, f32 *dx, f32 *scratch, int n_n, int oh_n, int ow_n, int co_n,
                           int ih_n, int iw_n, int ci_n, int kh_n, int kw_n, int sh, int sw, int top, int left) {
  int run = kw_n * ci_n, lp = up4(run), rem = run & 3;
  int ph_n = (oh_n - 1) * sh + kh_n, pw_n = (ow_n - 1) * sw + kw_n, pixels = oh_n * ow_n;
  int img_n = up4(ph_n * pw_n * ci_n), row_n = pw_n * ci_n, reach = (8 + sw * ci_n - 1) / (sw * ci_n);
  f32 *wp = ALIGN64(scratch), *img = wp + kh_n * lp * co_n;
  v ones = wasm_i32x4_splat(-1);
  v tail = rem == 0 ? ones : wasm_i32x4_make(-1, rem > 1 ? -1 : 0, rem > 2 ? -1 : 0, 0), z = wasm_f32x4_splat(0.f);
  pack_filter(w, wp, kh_n, run, lp, co_n);
  for (int n = 0; n < n_n; n++) {
    const f32 *dyn = dy + n * pixels * co_n;
    for (int i = 0; i < img_n + 4; i += 4) st(img + i, z);
    int oh = 0, ow = 0, phase = 0;
    for (int p = 0; p < pixels; p += 4) {
      int m = pixels - p < 4 ? pixels - p : 4;
      const f32 *d0, *d1 = 0, *d2 = 0, *d3 = 0;
      f32 *o0, *o1 = 0, *o2 = 0, *o3 = 0;
      NEXT_PIXEL(d0, o0);
      if (m > 1) NEXT_PIXEL(d1, o1); else d1 = d0, o1 = o0;
      if (m > 2) NEXT_PIXEL(d2, o2); else d2 = d0, o2 = o0;
      if (m > 3) NEXT_PIXEL(d3, o3); else d3 = d0, o3 = o0;
      for (int kh = 0; kh < kh_n; kh++) {
        int off = kh * row_n;
        for (int c0 = 0; c0 < lp; c0 += 8) {
          const f32 *wk = wp + (kh * lp + c0) * co_n;
          int k = off + c0;
          if (lp - c0 >= 8)
            tile4x2(d0, d1, d2, d3, co_n, wk, o0 + k, o1 + k, o2 + k, o3 + k, m, lp - c0 == 8 ? tail : ones);
          else
            tile4x1(d0, d1, d2, d3, co_n, wk, o0 + k, o1 + k, o2 + k, o3 + k, m, tail);
        }
      }
    }
    copy_out(img, dx + n * ih_n * iw_n * ci_n, ph_n, pw_n, ih_n, iw_n, ci_n, top, left);
  }
}
