// MaxPoolGrad for 2×2 windows at stride 2, unpadded (LeNet's and VGG's pools),
// with exactly the semantics of the JS route in src/wasm/max-pool-grad.ts
// (routeTiled2x2), which follows tfjs-cpu: each window's gradient goes to the
// first position in row-major order holding its maximum, NaN never wins, a
// window of only −Infinity/NaN passes nothing, dy + 0 turns −0 into +0, and
// rows or columns no window covers receive 0.
//
// Windows do not overlap, so every dx element is written once. The maximum is
// chosen on integer order keys of the float bits (four lanes of channels at a
// time, i32x4 compares and selects): no branch to mispredict on the ties that
// ReLU's zeros make common, and NaN and −0 are ordered as the JS orders them.
#include "simd.h"

/** The order key of −Infinity, which NaN also gets: a window whose largest key is this passes nothing. */
#define NEG_INFINITY_KEY (-2139095040)

/**
 * An int32 per lane that orders the float32 bit patterns as `>` orders the floats: sign-magnitude
 * turned into two's complement, −0 the key of +0, NaN the key of −Infinity (it never wins).
 */
static inline v order_key(v bits) {
  v magnitude = wasm_v128_and(bits, wasm_i32x4_splat(0x7fffffff));
  v key = wasm_i32x4_add(wasm_v128_xor(bits, wasm_v128_and(wasm_i32x4_shr(bits, 31), wasm_i32x4_splat(0x7fffffff))),
                         wasm_u32x4_shr(bits, 31));
  v nan = wasm_i32x4_gt(magnitude, wasm_i32x4_splat(0x7f800000));
  return wasm_v128_bitselect(wasm_i32x4_splat(NEG_INFINITY_KEY), key, nan);
}

/** Scalar {@link order_key}, for channel counts below one vector. */
static inline int order_key1(int bits) {
  int key = (bits ^ ((bits >> 31) & 0x7fffffff)) + (int)((unsigned)bits >> 31);
  return (bits & 0x7fffffff) > 0x7f800000 ? NEG_INFINITY_KEY : key;
}

/**
 * One window, four channels: dx at the first maximum's position gets dy + 0, the three others 0.
 * `row` is the distance between the window's two rows and `c` between its two columns, in floats.
 */
static inline void window4(const f32 *x, const f32 *dy, f32 *dx, int c, int row) {
  v k0 = order_key(ld(x)), k1 = order_key(ld(x + c));
  v k2 = order_key(ld(x + row)), k3 = order_key(ld(x + row + c));
  // Strictly greater replaces, so ties keep the earlier position.
  v s1 = wasm_i32x4_gt(k1, k0);
  v m = wasm_v128_bitselect(k1, k0, s1);
  v s2 = wasm_i32x4_gt(k2, m);
  m = wasm_v128_bitselect(k2, m, s2);
  v s3 = wasm_i32x4_gt(k3, m);
  m = wasm_v128_bitselect(k3, m, s3);
  // Which position won: 3 if s3, else 2 if s2, else 1 if s1, else 0, as one-hot masks.
  v w3 = s3;
  v w2 = wasm_v128_andnot(s2, s3);
  v w1 = wasm_v128_andnot(s1, wasm_v128_or(s2, s3));
  v w0 = wasm_v128_not(wasm_v128_or(s1, wasm_v128_or(s2, s3)));
  v passes = wasm_v128_not(wasm_i32x4_eq(m, wasm_i32x4_splat(NEG_INFINITY_KEY)));
  v g = wasm_v128_and(wasm_f32x4_add(ld(dy), wasm_f32x4_splat(0.f)), passes);
  st(dx, wasm_v128_and(g, w0));
  st(dx + c, wasm_v128_and(g, w1));
  st(dx + row, wasm_v128_and(g, w2));
  st(dx + row + c, wasm_v128_and(g, w3));
}

/** One window, one channel: the JS route's arithmetic on one lane. */
static inline void window1(const f32 *x, const f32 *dy, f32 *dx, int c, int row) {
  const int *bits = (const int *)x;
  int m = order_key1(bits[0]), p = 0, k;
  k = order_key1(bits[c]);
  if (k > m) m = k, p = 1;
  k = order_key1(bits[row]);
  if (k > m) m = k, p = 2;
  k = order_key1(bits[row + c]);
  if (k > m) m = k, p = 3;
  f32 g = m == NEG_INFINITY_KEY ? 0.f : *dy + 0.f;
  dx[0] = p == 0 ? g : 0.f;
  dx[c] = p == 1 ? g : 0.f;
  dx[row] = p == 2 ? g : 0.f;
  dx[row + c] = p == 3 ? g : 0.f;
}

static void zero_span(f32 *p, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) st(p + i, wasm_f32x4_splat(0.f));
  for (; i < n; i++) p[i] = 0.f;
}

/**
 * x, dx: [n, h, w, c]; dy: [n, oh, ow, c] with 2·oh ≤ h, 2·ow ≤ w. Channels go four at a time;
 * when c is not a multiple of 4 (and c ≥ 4) the last vector overlaps the one before it and writes
 * the overlapped channels again with the same values; below 4 channels each goes alone.
 */
EXPORT(max_pool_grad_2x2)
void max_pool_grad_2x2(const f32 *x, const f32 *dy, f32 *dx, int n, int h, int w, int c, int oh, int ow) {
  int row = w * c;
  for (int b = 0; b < n; b++) {
    for (int r = 0; r < oh; r++) {
      int top = (b * h + 2 * r) * row;
      const f32 *g = dy + ((b * oh + r) * ow) * c;
      for (int col = 0; col < ow; col++, g += c) {
        int at = top + 2 * col * c;
        if (c >= 4) {
          int d = 0;
          for (; d + 4 <= c; d += 4) window4(x + at + d, g + d, dx + at + d, c, row);
          if (d < c) window4(x + at + c - 4, g + c - 4, dx + at + c - 4, c, row);
        } else {
          for (int d = 0; d < c; d++) window1(x + at + d, g + d, dx + at + d, c, row);
        }
      }
      // An odd width leaves the last column of both rows to no window.
      if (2 * ow < w) {
        zero_span(dx + top + 2 * ow * c, (w - 2 * ow) * c);
        zero_span(dx + top + row + 2 * ow * c, (w - 2 * ow) * c);
      }
    }
    // An odd height leaves the last row(s) to no window.
    if (2 * oh < h) zero_span(dx + (b * h + 2 * oh) * row, (h - 2 * oh) * row);
  }
}
