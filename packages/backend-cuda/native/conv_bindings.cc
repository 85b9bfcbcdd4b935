// Entry points of conv.cu.
#include <cstdint>
#include <string>

#include "bindings.h"
#include "conv.h"
#include "gemm_args.h"

namespace convkit::gpu {
namespace {

/** Argument `index`: convGeometry()'s 18 integers (src/kernels/conv.ts), checked. */
ConvGeometry geometryArg(const Napi::CallbackInfo &info, size_t index, const char *function) {
  const auto v = ints(info, index, "geometry", 18);
  static const char *const names[18] = {"batch",     "inHeight",     "inWidth",       "inChannels", "outHeight",
                                        "outWidth",  "outChannels",  "filterHeight",  "filterWidth", "strideHeight",
                                        "strideWidth", "dilationHeight", "dilationWidth", "padTop",  "padLeft",
                                        "padBottom", "padRight",     "groups"};
  for (int i = 0; i < 18; i++) {
    const bool positive = (i >= 7 && i <= 12) || i == 17;  // filter sizes, strides, dilations, groups
    if (v[i] < (positive ? 1 : 0)) {
      rangeError(info, std::string(function) + ": geometry " + names[i] + " must be >= " + (positive ? "1" : "0") +
                     ", received " + std::to_string(v[i]));
    }
  }
  if (v[17] != 1) {
    rangeError(info, std::string(function) + ": geometry groups must be 1 (depthwise has its own kernels), received " +
                   std::to_string(v[17]));
  }
  const int64_t limit = INT32_MAX;
  // Pixel counts (GEMM rows), one image's elements and the filter's are int32 in the kernels.
  // In double: four int32 factors can wrap int64.
  const auto product = [&](std::initializer_list<int> at) {
    double p = 1;
    for (int i : at) p *= static_cast<double>(v[i]);
    return p;
  };
  if (product({0, 1, 2}) > limit || product({0, 4, 5}) > limit || product({1, 2, 3}) > limit ||
      product({4, 5, 6}) > limit || product({7, 8, 3, 6}) > limit) {
    rangeError(info, std::string(function) + ": the convolution is too large (batch " + std::to_string(v[0]) + ", input " +
                   std::to_string(v[1]) + "x" + std::to_string(v[2]) + "x" + std::to_string(v[3]) + ", output " +
                   std::to_string(v[4]) + "x" + std::to_string(v[5]) + "x" + std::to_string(v[6]) + ")");
  }
  ConvGeometry g;
  g.batch = static_cast<int>(v[0]);
  g.inH = static_cast<int>(v[1]);
  g.inW = static_cast<int>(v[2]);
  g.inC = static_cast<int>(v[3]);
  g.outH = static_cast<int>(v[4]);
  g.outW = static_cast<int>(v[5]);
  g.outC = static_cast<int>(v[6]);
  g.filterH = static_cast<int>(v[7]);
  g.filterW = static_cast<int>(v[8]);
  g.strideH = static_cast<int>(v[9]);
  g.strideW = static_cast<int>(v[10]);
  g.dilationH = static_cast<int>(v[11]);
  g.dilationW = static_cast<int>(v[12]);
  g.padTop = static_cast<int>(v[13]);
  g.padLeft = static_cast<int>(v[14]);
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
