// Entry points of conv.cu.
#include <cstdint>
#include <string>

#include <convkit/geometry.h>

#include "bindings.h"
#include "conv.h"
#include "gemm_args.h"

namespace convkit::gpu {
namespace {

/**
 * Argument `index`: convGeometry()'s 18 integers (@convkit/backend's conv
 * geometry), read by name and checked: sizes, filter, strides and dilations
 * >= 1, pads >= 0, groups 1, and an output size that the window formula
 * (convkit/geometry.h) gives for that input, filter, stride and padding.
 */
ConvGeometry geometryArg(const Napi::CallbackInfo &info, size_t index, const char *function) {
  ConvGeometry g{};
  int padBottom = 0, padRight = 0, groups = 0;
  readGeometry(info, index, function,
               {{"batch", &g.batch},
                {"inHeight", &g.inH},
                {"inWidth", &g.inW},
                {"inChannels", &g.inC},
                {"outHeight", &g.outH},
                {"outWidth", &g.outW},
                {"outChannels", &g.outC},
                {"filterHeight", &g.filterH},
                {"filterWidth", &g.filterW},
                {"strideHeight", &g.strideH},
                {"strideWidth", &g.strideW},
                {"dilationHeight", &g.dilationH},
                {"dilationWidth", &g.dilationW},
                {"padTop", &g.padTop},
                {"padLeft", &g.padLeft},
                {"padBottom", &padBottom},
                {"padRight", &padRight},
                {"groups", &groups}},
               13);
  const std::string fn(function);
  if (groups != 1) {
    rangeError(info, fn + ": geometry groups must be 1 (depthwise has its own kernels), received " +
                         std::to_string(groups));
  }
  const int64_t outH = windowOutputSize(g.inH, g.filterH, g.strideH, g.dilationH, g.padTop, padBottom);
  const int64_t outW = windowOutputSize(g.inW, g.filterW, g.strideW, g.dilationW, g.padLeft, padRight);
  if (g.outH != outH || g.outW != outW) {
    rangeError(info, fn + ": geometry output " + std::to_string(g.outH) + "x" + std::to_string(g.outW) +
                         " is not what the input, filter, strides, dilations and pads give (" + std::to_string(outH) +
                         "x" + std::to_string(outW) + ")");
  }
  // Pixel counts (GEMM rows), one image's elements and the filter's are int32 in the kernels.
  // In double: four int32 factors can wrap int64.
  const auto product = [](std::initializer_list<int> factors) {
    double p = 1;
    for (int f : factors) p *= static_cast<double>(f);
    return p;
  };
  const double limit = INT32_MAX;
  if (product({g.batch, g.inH, g.inW}) > limit || product({g.batch, g.outH, g.outW}) > limit ||
      product({g.inH, g.inW, g.inC}) > limit || product({g.outH, g.outW, g.outC}) > limit ||
      product({g.filterH, g.filterW, g.inC, g.outC}) > limit) {
    rangeError(info, fn + ": the convolution is too large (batch " + std::to_string(g.batch) + ", input " +
                         std::to_string(g.inH) + "x" + std::to_string(g.inW) + "x" + std::to_string(g.inC) +
                         ", output " + std::to_string(g.outH) + "x" + std::to_string(g.outW) + "x" +
                         std::to_string(g.outC) + ")");
  }
  return g;
}

int64_t inputSize(const ConvGeometry &g) { return int64_t{g.batch} * g.inH * g.inW * g.inC; }
int64_t outputSize(const ConvGeometry &g) { return int64_t{g.batch} * g.outH * g.outW * g.outC; }
int64_t filterSize(const ConvGeometry &g) { return int64_t{g.filterH} * g.filterW * g.inC * g.outC; }

/** conv2d(x, filter, y, geometry, bias, biasStride, activation, alpha, tile?, splits?) */
Napi::Value Conv2d(const Napi::CallbackInfo &info) {
  const ConvGeometry g = geometryArg(info, 3, "conv2d");
  const GemmArgs e = gemmArgs(info, 5, "conv2d");
  const float *x = devicePointer<float>(info, 0, "x", inputSize(g));
  const float *filter = devicePointer<float>(info, 1, "filter", filterSize(g));
  float *y = devicePointer<float>(info, 2, "y", outputSize(g));
  const float *bias = optionalDevicePointer<float>(info, 4, "bias", e.biasStride == 1 ? g.outC : 1);
  launchConv2d(x, filter, y, g, bias, e.biasStride, e.activation, e.alpha, e.plan);
  return info.Env().Undefined();
}

/** conv2dBackpropInput(dy, filter, dx, geometry, tile?, splits?) */
Napi::Value Conv2dBackpropInput(const Napi::CallbackInfo &info) {
  const ConvGeometry g = geometryArg(info, 3, "conv2dBackpropInput");
  const GemmPlan plan = gemmPlanArgs(info, 4);
  const float *dy = devicePointer<float>(info, 0, "dy", outputSize(g));
  const float *filter = devicePointer<float>(info, 1, "filter", filterSize(g));
  float *dx = devicePointer<float>(info, 2, "dx", inputSize(g));
  launchConv2dBackpropInput(dy, filter, dx, g, plan);
  return info.Env().Undefined();
}

/** conv2dBackpropFilter(x, dy, dw, geometry, tile?, splits?) */
Napi::Value Conv2dBackpropFilter(const Napi::CallbackInfo &info) {
  const ConvGeometry g = geometryArg(info, 3, "conv2dBackpropFilter");
  const GemmPlan plan = gemmPlanArgs(info, 4);
  const float *x = devicePointer<float>(info, 0, "x", inputSize(g));
  const float *dy = devicePointer<float>(info, 1, "dy", outputSize(g));
  float *dw = devicePointer<float>(info, 2, "dw", filterSize(g));
  launchConv2dBackpropFilter(x, dy, dw, g, plan);
  return info.Env().Undefined();
}

}  // namespace

void initConvBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "conv2d", Conv2d);
  define(env, exports, "conv2dBackpropInput", Conv2dBackpropInput);
  define(env, exports, "conv2dBackpropFilter", Conv2dBackpropFilter);
}

}  // namespace convkit::gpu
