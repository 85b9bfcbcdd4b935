// Element-wise helpers shared by the fused kernels.
#pragma once

#include <cstdint>

namespace convkit {

/** Activation codes, as src/kernels/activation.ts numbers them. */
enum ActivationCode { kActLinear = 0, kActRelu = 1, kActRelu6 = 2, kActElu = 3, kActSigmoid = 4, kActLeakyRelu = 5 };

/** out = f(in) for an activation, with tfjs' formulas (NaN passes through); in and out may be the same array. */
void applyActivation(const float *in, float *out, int64_t size, int activation, float alpha);

/** The activation in place. */
inline void applyActivation(float *values, int64_t size, int activation, float alpha) {
  applyActivation(values, values, size, activation, alpha);
}

}  // namespace convkit
