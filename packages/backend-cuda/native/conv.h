// Convolutions as implicit GEMMs on the SGEMM core of matmul.h (conv.cu):
// NHWC activations, HWIO filters, no im2col buffer.
#pragma once

#include <cstdint>

#include "matmul.h"

namespace convkit::gpu {

/**
 * A convolution's geometry (tfjs' Conv2DInfo, channels last): output pixel
 * (oh, ow) reads input rows oh·strideH − padTop + kh·dilationH and columns
 * ow·strideW − padLeft + kw·dilationW; taps outside the input read zeros.
 */
struct ConvGeometry {
  int batch, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH, dilationW, padTop,
      padLeft;
};

/**
 * y = act(conv(x, filter) + bias): x [batch, inH, inW, inC], filter
 * [filterH, filterW, inC, outC], y [batch, outH, outW, outC]; bias null, outC
 * values (biasStride 1) or one (biasStride 0).
 */
void launchConv2d(const float *x, const float *filter, float *y, const ConvGeometry &g, const float *bias,
                  int biasStride, int activation, float alpha, GemmPlan plan);
/** dx [batch, inH, inW, inC] = the gradient of conv(x, filter) with respect to x, for dy [batch, outH, outW, outC]. */
void launchConv2dBackpropInput(const float *dy, const float *filter, float *dx, const ConvGeometry &g, GemmPlan plan);
/** dw [filterH, filterW, inC, outC] = the gradient of conv(x, filter) with respect to the filter. */
void launchConv2dBackpropFilter(const float *x, const float *dy, float *dw, const ConvGeometry &g, GemmPlan plan);

}  // namespace convkit::gpu
