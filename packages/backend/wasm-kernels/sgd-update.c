// One weight's SGD step, `ConvkitSgdUpdate`'s stock route in one pass: that
// route runs four to six XNNPACK binary operators per weight (Multiply, Add,
// Sub), each a new operator and a new intermediate array. The operations and
// their order are the stock route's, each rounded to float32 (wasm has no
// fused multiply-add), so both give the same bits:
//   gd = decay ? g + w·λ : g;  v' = v·μ + gd;  d = nesterov ? gd + v'·μ : v';  w' = w − d·lr
// and without momentum d = gd (v and v' are not read or written).
#include "simd.h"

/** The update of `n` elements; `momentum` 0: no velocity (vel and v_out are not touched). */
EXPORT(sgd_update)
void sgd_update(const f32 *w, const f32 *g, const f32 *vel, f32 *w_out, f32 *v_out, int n, f32 lr, f32 mu,
                f32 lambda, int decay, int momentum, int nesterov) {
  const v lr4 = wasm_f32x4_splat(lr), mu4 = wasm_f32x4_splat(mu), lambda4 = wasm_f32x4_splat(lambda);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v wi = ld(w + i);
    v gd = ld(g + i);
    if (decay) gd = wasm_f32x4_add(gd, wasm_f32x4_mul(wi, lambda4));
    v d = gd;
    if (momentum) {
      const v vn = wasm_f32x4_add(wasm_f32x4_mul(ld(vel + i), mu4), gd);
      st(v_out + i, vn);
      d = nesterov ? wasm_f32x4_add(gd, wasm_f32x4_mul(vn, mu4)) : vn;
    }
    st(w_out + i, wasm_f32x4_sub(wi, wasm_f32x4_mul(d, lr4)));
  }
  for (; i < n; i++) {
    f32 gd = g[i];
    if (decay) gd = gd + w[i] * lambda;
    f32 d = gd;
    if (momentum) {
      const f32 vn = vel[i] * mu + gd;
      v_out[i] = vn;
      d = nesterov ? gd + vn * mu : vn;
    }
    w_out[i] = w[i] - d * lr;
  }
}
