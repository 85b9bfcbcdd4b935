// ReLU's gradient, dy · step(x), in one pass (the stock route runs Step, then
// Multiply, through an intermediate array). step is tfjs-cpu's: 1 where
// x > 0, 0 elsewhere, NaN where x is NaN; the product is the stock route's
// one rounding, so signed zeros (−2 · 0 = −0), NaN and infinities
// (∞ · 0 = NaN) come out as there.
#include "simd.h"

/** dx = dy · step(x) over `n` elements. */
EXPORT(relu_grad)
void relu_grad(const f32 *dy, const f32 *x, f32 *dx, int n) {
  const v one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v xi = ld(x + i);
    v step = wasm_v128_bitselect(one, zero, wasm_f32x4_gt(xi, zero));
    step = wasm_v128_bitselect(xi, step, wasm_f32x4_ne(xi, xi));  // NaN stays NaN
    st(dx + i, wasm_f32x4_mul(ld(dy + i), step));
  }
  for (; i < n; i++) {
    const f32 xi = x[i];
    const f32 step = xi != xi ? xi : (xi > 0.0f ? 1.0f : 0.0f);
    dx[i] = dy[i] * step;
  }
}
