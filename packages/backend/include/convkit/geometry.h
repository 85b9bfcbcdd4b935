// The output-size formula of a sliding window, once for every C++ kernel
// (the oneDNN addon of @convkit/backend-native and the CUDA kernels of
// @convkit/backend-cuda): the same formula as @convkit/shape's
// windowOutputSize, which the TypeScript side uses. Header-only: it ships in
// @convkit/backend's include/ folder, on both addons' include path.
#pragma once

#include <cstdint>

namespace convkit {

/**
 * out = floor((in + before + after − dilation·(kernel − 1) − 1) / stride) + 1:
 * how many windows of `kernel` taps, `dilation` apart, fit in the padded
 * input when they start every `stride` elements. 0 when not even one fits.
 */
constexpr int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t before,
                                   int64_t after) {
  const int64_t span = in + before + after - (dilation * (kernel - 1) + 1);
  return span < 0 ? 0 : span / stride + 1;
}

}  // namespace convkit
