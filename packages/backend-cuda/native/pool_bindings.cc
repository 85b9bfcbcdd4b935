// Entry points of pool.cu.
#include "bindings.h"
#include "pool.h"

namespace convkit::gpu {
namespace {

/**
 * Argument `index`: [batch, inH, inW, channels, outH, outW, filterH, filterW,
 * strideH, strideW, padTop, padLeft], checked: sizes, filter and strides >= 1,
 * pads >= 0. Any such geometry is safe: the kernels read only elements inside
 * the input (a window wholly in the padding, which tfjs' 'ceil' rounding can
 * make, is empty).
 */
PoolGeometry poolGeometry(const Napi::CallbackInfo &info, size_t index, const char *fn) {
  PoolGeometry g{};
  readGeometry(info, index, fn,
               {{"batch", &g.batch},
                {"inH", &g.inH},
                {"inW", &g.inW},
                {"channels", &g.channels},
                {"outH", &g.outH},
                {"outW", &g.outW},
                {"filterH", &g.filterH},
                {"filterW", &g.filterW},
                {"strideH", &g.strideH},
                {"strideW", &g.strideW},
                {"padTop", &g.padTop},
                {"padLeft", &g.padLeft}},
               10);
  return g;
}

int64_t inputCount(const PoolGeometry &g) { return int64_t{g.batch} * g.inH * g.inW * g.channels; }
int64_t outputCount(const PoolGeometry &g) { return int64_t{g.batch} * g.outH * g.outW * g.channels; }

/** maxPool(y, x, geometry) */
Napi::Value MaxPool(const Napi::CallbackInfo &info) {
  const PoolGeometry g = poolGeometry(info, 2, "maxPool");
  launchMaxPool(devicePointer<float>(info, 0, "y", outputCount(g)), devicePointer<float>(info, 1, "x", inputCount(g)),
                g);
  return info.Env().Undefined();
}

/** avgPool(y, x, geometry) */
Napi::Value AvgPool(const Napi::CallbackInfo &info) {
  const PoolGeometry g = poolGeometry(info, 2, "avgPool");
  launchAvgPool(devicePointer<float>(info, 0, "y", outputCount(g)), devicePointer<float>(info, 1, "x", inputCount(g)),
                g);
  return info.Env().Undefined();
}

/** maxPoolGrad(dx, x, dy, geometry) */
Napi::Value MaxPoolGrad(const Napi::CallbackInfo &info) {
  const PoolGeometry g = poolGeometry(info, 3, "maxPoolGrad");
  launchMaxPoolGrad(devicePointer<float>(info, 0, "dx", inputCount(g)),
                    devicePointer<float>(info, 1, "x", inputCount(g)),
                    devicePointer<float>(info, 2, "dy", outputCount(g)), g);
  return info.Env().Undefined();
}

/** avgPoolGrad(dx, dy, geometry) */
Napi::Value AvgPoolGrad(const Napi::CallbackInfo &info) {
  const PoolGeometry g = poolGeometry(info, 2, "avgPoolGrad");
  launchAvgPoolGrad(devicePointer<float>(info, 0, "dx", inputCount(g)),
                    devicePointer<float>(info, 1, "dy", outputCount(g)), g);
  return info.Env().Undefined();
}

}  // namespace

void initPoolBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "maxPool", MaxPool);
  define(env, exports, "avgPool", AvgPool);
  define(env, exports, "maxPoolGrad", MaxPoolGrad);
  define(env, exports, "avgPoolGrad", AvgPoolGrad);
}

}  // namespace convkit::gpu
