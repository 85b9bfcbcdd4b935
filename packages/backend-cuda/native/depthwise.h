// Depthwise 2-D convolution of NHWC float32 data and its gradients
// (depthwise.cu), as tfjs' cpu kernels compute them.
#pragma once

#include <cstdint>

namespace convkit::gpu {

/**
 * x [batch, inH, inW, channels], filter [filterH, filterW, channels,
 * multiplier], y [batch, outH, outW, channels · multiplier]: output channel
 * c · multiplier + q is input channel c filtered by filter[.., .., c, q].
 */
struct DepthwiseGeometry {
  int batch, inH, inW, channels;
  int outH, outW, multiplier;
  int filterH, filterW;
  int strideH, strideW;
  int dilationH, dilationW;
  int padTop, padLeft;
};

void launchDepthwiseConv2d(float *y, const float *x, const float *filter, const DepthwiseGeometry &g);
/** dx [batch, inH, inW, channels] from dy [batch, outH, outW, channels · multiplier] and the filter. */
void launchDepthwiseConv2dBackpropInput(float *dx, const float *dy, const float *filter, const DepthwiseGeometry &g);
/** dFilter [filterH, filterW, channels, multiplier] from x and dy; deterministic (no atomics). */
void launchDepthwiseConv2dBackpropFilter(float *dFilter, const float *x, const float *dy, const DepthwiseGeometry &g);

}  // namespace convkit::gpu
