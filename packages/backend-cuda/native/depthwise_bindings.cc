// Entry points of depthwise.cu.
#include <sstream>

#include "bindings.h"
#include "depthwise.h"

namespace convkit::gpu {
namespace {

/**
 * Argument `index`: [batch, inH, inW, channels, outH, outW, multiplier,
 * filterH, filterW, strideH, strideW, dilationH, dilationW, padTop, padLeft],
 * checked: sizes, strides and dilations >= 1, pads >= 0. Any such geometry is
 * safe: the kernels read only elements inside the input.
 */
DepthwiseGeometry depthwiseGeometry(const Napi::CallbackInfo &info, size_t index, const char *fn) {
  DepthwiseGeometry g{};
  readGeometry(info, index, fn,
               {{"batch", &g.batch},
                {"inH", &g.inH},
                {"inW", &g.inW},
                {"channels", &g.channels},
                {"outH", &g.outH},
                {"outW", &g.outW},
                {"multiplier", &g.multiplier},
                {"filterH", &g.filterH},
                {"filterW", &g.filterW},
                {"strideH", &g.strideH},
                {"strideW", &g.strideW},
                {"dilationH", &g.dilationH},
                {"dilationW", &g.dilationW},
                {"padTop", &g.padTop},
                {"padLeft", &g.padLeft}},
               13);
  const int64_t taps = int64_t{g.filterH} * g.filterW;
  const int64_t outChannels = int64_t{g.channels} * g.multiplier;
  if (taps > 65535 || taps * outChannels > 0x7fffffff) {
    std::ostringstream message;
    message << "convkit cuda: " << fn << ": filter " << g.filterH << "x" << g.filterW << "x" << g.channels << "x"
            << g.multiplier << " is too large (at most 65535 taps and 2^31 - 1 elements)";
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return g;
}

int64_t inputCount(const DepthwiseGeometry &g) { return int64_t{g.batch} * g.inH * g.inW * g.channels; }
int64_t outputCount(const DepthwiseGeometry &g) {
  return int64_t{g.batch} * g.outH * g.outW * g.channels * g.multiplier;
}
int64_t filterCount(const DepthwiseGeometry &g) {
  return int64_t{g.filterH} * g.filterW * g.channels * g.multiplier;
}

/** depthwiseConv2d(y, x, filter, geometry) */
Napi::Value DepthwiseConv2d(const Napi::CallbackInfo &info) {
  const DepthwiseGeometry g = depthwiseGeometry(info, 3, "depthwiseConv2d");
  launchDepthwiseConv2d(devicePointer<float>(info, 0, "y", outputCount(g)),
                        devicePointer<float>(info, 1, "x", inputCount(g)),
                        devicePointer<float>(info, 2, "filter", filterCount(g)), g);
  return info.Env().Undefined();
}

/** depthwiseConv2dBackpropInput(dx, dy, filter, geometry) */
Napi::Value DepthwiseConv2dBackpropInput(const Napi::CallbackInfo &info) {
  const DepthwiseGeometry g = depthwiseGeometry(info, 3, "depthwiseConv2dBackpropInput");
  launchDepthwiseConv2dBackpropInput(devicePointer<float>(info, 0, "dx", inputCount(g)),
                                     devicePointer<float>(info, 1, "dy", outputCount(g)),
                                     devicePointer<float>(info, 2, "filter", filterCount(g)), g);
  return info.Env().Undefined();
}

/** depthwiseConv2dBackpropFilter(dFilter, x, dy, geometry) */
Napi::Value DepthwiseConv2dBackpropFilter(const Napi::CallbackInfo &info) {
  const DepthwiseGeometry g = depthwiseGeometry(info, 3, "depthwiseConv2dBackpropFilter");
  launchDepthwiseConv2dBackpropFilter(devicePointer<float>(info, 0, "dFilter", filterCount(g)),
                                      devicePointer<float>(info, 1, "x", inputCount(g)),
                                      devicePointer<float>(info, 2, "dy", outputCount(g)), g);
  return info.Env().Undefined();
}

}  // namespace

void initDepthwiseBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "depthwiseConv2d", DepthwiseConv2d);
  define(env, exports, "depthwiseConv2dBackpropInput", DepthwiseConv2dBackpropInput);
  define(env, exports, "depthwiseConv2dBackpropFilter", DepthwiseConv2dBackpropFilter);
}

}  // namespace convkit::gpu
