// 2-D max and average pooling on NHWC float32 data and their gradients
// (pool.cu), with tfjs' border, NaN and tie rules.
#pragma once

#include <cstdint>

namespace convkit::gpu {

/** A pooling window's geometry: NHWC input [batch, inH, inW, channels] → output [batch, outH, outW, channels]. */
struct PoolGeometry {
  int batch, inH, inW, channels;
  int outH, outW;
  int filterH, filterW;
  int strideH, strideW;
  int padTop, padLeft;
};

/** y = the largest value of each window (NaN ignored; -Infinity when the window has none). */
void launchMaxPool(float *y, const float *x, const PoolGeometry &g);
/** y = the mean of each window's values inside the input (padding does not count; NaN for an empty window). */
void launchAvgPool(float *y, const float *x, const PoolGeometry &g);
/** dx = the sum of dy over the windows whose first maximum (in scan order) is that element. */
void launchMaxPoolGrad(float *dx, const float *x, const float *dy, const PoolGeometry &g);
/** dx = the sum of dy over the windows that contain that element, / (filterH · filterW) as tfjs does. */
void launchAvgPoolGrad(float *dx, const float *dy, const PoolGeometry &g);

}  // namespace convkit::gpu
