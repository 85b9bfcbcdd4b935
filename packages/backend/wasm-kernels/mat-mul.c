// C[M, N] = op(A)·op(B) (+ bias[N]) (then ReLU) for the small dense products
// of a training step (LeNet-5's 64×400·400×120 and its gradients), where
// XNNPACK's fully-connected operator repacks the weights on every call (they
// change every step) and the stock kernel pays two threads' dispatch.
//
// op(B) is packed once per call into scratch as panels of 8 columns
// ([K][8] floats each, columns past N zero), so the inner loop reads it as two
// aligned vectors per k whatever the transpose. A is read in place through
// strides (row step, column step), four rows at a time as splats. Each 4×8
// tile of C lives in 8 vector registers over the whole K loop; the bias and
// ReLU are applied on the way out and only the N columns of C are stored.
// Rows past M in the last tile read row M−1 again and are not stored.
#include "simd.h"

/** op(B) [K, N] (element (k, n) at b[k·rs + n·cs]) into panels of 8 columns, zero beyond N. */
static void pack_b(const f32 *b, f32 *packed, int k_size, int n, int rs, int cs) {
  for (int p = 0; p < n; p += 8) {
    f32 *panel = packed + p * k_size;
    int width = n - p < 8 ? n - p : 8;
    for (int k = 0; k < k_size; k++) {
      const f32 *src = b + k * rs + p * cs;
      f32 *dst = panel + k * 8;
      if (width == 8 && cs == 1) {
        st(dst, ld(src));
        st(dst + 4, ld(src + 4));
      } else {
        int j = 0;
        for (; j < width; j++) dst[j] = src[j * cs];
        for (; j < 8; j++) dst[j] = 0.f;
      }
    }
  }
}

/** Stores the first `count` (0…4) lanes of `x` at p. */
static inline void store_lanes(f32 *p, v x, int count) {
  if (count >= 4) {
    st(p, x);
    return;
  }
  if (count > 0) p[0] = wasm_f32x4_extract_lane(x, 0);
  if (count > 1) p[1] = wasm_f32x4_extract_lane(x, 1);
  if (count > 2) p[2] = wasm_f32x4_extract_lane(x, 2);
}

/**
 * Bias (when given) and ReLU (when asked) on one vector. ReLU is tfjs-cpu's Math.max(0, x): NaN
 * stays NaN (pmax(x, 0) keeps x unless x < 0) and −0 becomes +0 (the + 0).
 */
static inline v epilogue(v x, const f32 *bias, int relu) {
  if (bias) x = wasm_f32x4_add(x, ld(bias));
  if (!relu) return x;
  v zero = wasm_f32x4_splat(0.f);
  return wasm_f32x4_add(wasm_f32x4_pmax(x, zero), zero);
}

/** One row of a tile: columns [0, width) of C's row `c` from the two accumulators. */
static inline void store_row(f32 *c, v lo, v hi, const f32 *bias, int relu, int width) {
  lo = epilogue(lo, bias, relu);
  hi = epilogue(hi, bias ? bias + 4 : 0, relu);
  store_lanes(c, lo, width);
  if (width > 4) store_lanes(c + 4, hi, width - 4);
}

/**
 * a: op(A) [M, K] with element (m, k) at a[m·ars + k·acs]; b: op(B) [K, N] at b[k·brs + n·bcs];
 * c: [M, N] row-major; bias: [N] or 0; relu: 0 or 1; scratch: ≥ (K + 1)·⌈N/8⌉·8 floats + 64 bytes
 * (the packed op(B), then the bias padded with zeros to whole panels).
 */
EXPORT(mat_mul)
void mat_mul(const f32 *a, const f32 *b, f32 *c, const f32 *bias, int m, int n, int k_size, int ars, int acs,
             int brs, int bcs, int relu, f32 *scratch) {
  int panels = (n + 7) / 8;
  f32 *packed = ALIGN64(scratch);
  pack_b(b, packed, k_size, n, brs, bcs);
  f32 *padded_bias = packed + panels * 8 * k_size;
  if (bias) {
    for (int j = 0; j < panels * 8; j++) padded_bias[j] = j < n ? bias[j] : 0.f;
  }
  for (int p = 0; p < panels; p++) {
    const f32 *panel = packed + p * 8 * k_size;
    const f32 *tile_bias = bias ? padded_bias + p * 8 : 0;
    int width = n - p * 8 < 8 ? n - p * 8 : 8;
    for (int r = 0; r < m; r += 4) {
      int rows = m - r < 4 ? m - r : 4;
      const f32 *a0 = a + r * ars;
      const f32 *a1 = a + (rows > 1 ? r + 1 : r) * ars;
      const f32 *a2 = a + (rows > 2 ? r + 2 : r) * ars;
      const f32 *a3 = a + (rows > 3 ? r + 3 : r) * ars;
      v c00 = wasm_f32x4_splat(0.f), c01 = c00, c10 = c00, c11 = c00;
      v c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      const f32 *bp = panel;
      for (int k = 0; k < k_size; k++, bp += 8) {
        v b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
        int at = k * acs;
        v x = splat(a0 + at);
        c00 = madd(c00, x, b0), c01 = madd(c01, x, b1);
        x = splat(a1 + at);
        c10 = madd(c10, x, b0), c11 = madd(c11, x, b1);
        x = splat(a2 + at);
        c20 = madd(c20, x, b0), c21 = madd(c21, x, b1);
        x = splat(a3 + at);
        c30 = madd(c30, x, b0), c31 = madd(c31, x, b1);
      }
      f32 *out = c + r * n + p * 8;
      store_row(out, c00, c01, tile_bias, relu, width);
      if (rows > 1) store_row(out + n, c10, c11, tile_bias, relu, width);
      if (rows > 2) store_row(out + 2 * n, c20, c21, tile_bias, relu, width);
      if (rows > 3) store_row(out + 3 * n, c30, c31, tile_bias, relu, width);
    }
  }
}
