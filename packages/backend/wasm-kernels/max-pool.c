// MaxPool forward for 2×2 windows at stride 2, unpadded (LeNet's and VGG's
// pools), with tfjs-cpu's semantics (backend-cpu's pool_utils.pool): each
// window starts from −Infinity and a value replaces the running maximum only
// when strictly greater, in row-major order. So NaN never wins (a window of
// only NaN gives −Infinity), and on a tie between −0 and +0 the first in the
// window is kept. f32x4_gt and a bitselect per value do exactly that, four
// channels at a time; rows or columns no window covers (odd sizes) are skipped.
#include "simd.h"

/** One window, four channels: the first strict maximum of the four, starting from −Infinity. */
static inline v window4(const f32 *x, int c, int row) {
  v m = wasm_f32x4_splat(-__builtin_inff());
  v a = ld(x);
  m = wasm_v128_bitselect(a, m, wasm_f32x4_gt(a, m));
  a = ld(x + c);
  m = wasm_v128_bitselect(a, m, wasm_f32x4_gt(a, m));
  a = ld(x + row);
  m = wasm_v128_bitselect(a, m, wasm_f32x4_gt(a, m));
  a = ld(x + row + c);
  return wasm_v128_bitselect(a, m, wasm_f32x4_gt(a, m));
}

/** One window, one channel: the same comparisons on one value. */
static inline f32 window1(const f32 *x, int c, int row) {
  f32 m = -__builtin_inff();
  if (x[0] > m) m = x[0];
  if (x[c] > m) m = x[c];
  if (x[row] > m) m = x[row];
  if (x[row + c] > m) m = x[row + c];
  return m;
}

/**
 * x: [n, h, w, c]; y: [n, oh, ow, c] with 2·oh ≤ h, 2·ow ≤ w. Channels go four at a time; when c
 * is not a multiple of 4 (and c ≥ 4) the last vector overlaps the one before it and stores the
 * overlapped channels again with the same values; below 4 channels each goes alone.
 */
EXPORT(max_pool_2x2)
void max_pool_2x2(const f32 *x, f32 *y, int n, int h, int w, int c, int oh, int ow) {
  int row = w * c;
  for (int b = 0; b < n; b++) {
    for (int r = 0; r < oh; r++) {
      const f32 *top = x + (b * h + 2 * r) * row;
      f32 *out = y + ((b * oh + r) * ow) * c;
      for (int col = 0; col < ow; col++, out += c) {
        const f32 *at = top + 2 * col * c;
        if (c >= 4) {
          int d = 0;
          for (; d + 4 <= c; d += 4) st(out + d, window4(at + d, c, row));
          if (d < c) st(out + c - 4, window4(at + c - 4, c, row));
        } else {
          for (int d = 0; d < c; d++) out[d] = window1(at + d, c, row);
        }
      }
    }
  }
}
