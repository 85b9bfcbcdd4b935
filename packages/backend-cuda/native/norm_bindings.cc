// Entry points of norm.cu.
#include <algorithm>
#include <sstream>

#include "bindings.h"
#include "norm.h"

namespace convkit::gpu {
namespace {

/** Argument `index`: a whole number in [min, max]; a RangeError that repeats it otherwise. */
int64_t whole(const Napi::CallbackInfo &info, size_t index, const char *fn, const char *name, int64_t min,
              int64_t max = int64_t{1} << 53) {
  const double value = number(info, index, name);
  if (!(value >= static_cast<double>(min) && value <= static_cast<double>(max)) ||
      value != static_cast<double>(static_cast<int64_t>(value))) {
    std::ostringstream message;
    message << "convkit cuda: " << fn << ": " << name << " must be a whole number in [" << min << ", " << max
            << "], received " << value;
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return static_cast<int64_t>(value);
}

struct LrnShape {
  int64_t pixels;
  int channels, radius;
  float bias, alpha, beta;
};

/** [pixels, channels, radius, bias, alpha, beta] from argument `index` on. */
LrnShape lrnShape(const Napi::CallbackInfo &info, size_t index, const char *fn) {
  LrnShape s{};
  s.pixels = whole(info, index, fn, "pixels", 1, int64_t{1} << 40);
  s.channels = static_cast<int>(whole(info, index + 1, fn, "channels", 1, 0x7fffffff));
  // A window wider than the channels sees them all: clamping keeps c ± radius inside int.
  s.radius = static_cast<int>(std::min<double>(whole(info, index + 2, fn, "radius", 0, 0x7fffffff), s.channels));
  s.bias = static_cast<float>(number(info, index + 3, "bias"));
  s.alpha = static_cast<float>(number(info, index + 4, "alpha"));
  s.beta = static_cast<float>(number(info, index + 5, "beta"));
  return s;
}

/** lrn(y, x, pixels, channels, radius, bias, alpha, beta) */
Napi::Value Lrn(const Napi::CallbackInfo &info) {
  const LrnShape s = lrnShape(info, 2, "lrn");
  const int64_t count = s.pixels * s.channels;
  launchLrn(devicePointer<float>(info, 0, "y", count), devicePointer<float>(info, 1, "x", count), s.pixels,
            s.channels, s.radius, s.bias, s.alpha, s.beta);
  return info.Env().Undefined();
}

/** lrnGrad(dx, x, y, dy, pixels, channels, radius, bias, alpha, beta) */
Napi::Value LrnGrad(const Napi::CallbackInfo &info) {
  const LrnShape s = lrnShape(info, 4, "lrnGrad");
  const int64_t count = s.pixels * s.channels;
  launchLrnGrad(devicePointer<float>(info, 0, "dx", count), devicePointer<float>(info, 1, "x", count),
                devicePointer<float>(info, 2, "y", count), devicePointer<float>(info, 3, "dy", count), s.pixels,
                s.channels, s.radius, s.bias, s.alpha, s.beta);
  return info.Env().Undefined();
}

/** Arguments `index` (a device block or null when `optional`) and `index + 1` (its length, >= 1). */
Cyclic cyclicOperand(const Napi::CallbackInfo &info, size_t index, const char *name, const char *lengthName,
                     bool optional) {
  const int64_t length = whole(info, index + 1, "batchNorm", lengthName, 1);
  const float *values = optional ? optionalDevicePointer<float>(info, index, name, length)
                                 : devicePointer<float>(info, index, name, length);
  return Cyclic{values, length};
}

/** batchNorm(y, x, count, mean, meanLength, variance, varianceLength, offset|null, offsetLength, scale|null, scaleLength, epsilon) */
Napi::Value BatchNorm(const Napi::CallbackInfo &info) {
  const int64_t count = whole(info, 2, "batchNorm", "count", 1);
  const Cyclic mean = cyclicOperand(info, 3, "mean", "meanLength", false);
  const Cyclic variance = cyclicOperand(info, 5, "variance", "varianceLength", false);
  const Cyclic offset = cyclicOperand(info, 7, "offset", "offsetLength", true);
  const Cyclic scale = cyclicOperand(info, 9, "scale", "scaleLength", true);
  const auto epsilon = static_cast<float>(number(info, 11, "epsilon"));
  launchBatchNorm(devicePointer<float>(info, 0, "y", count), devicePointer<float>(info, 1, "x", count), count, mean,
                  variance, offset, scale, epsilon);
  return info.Env().Undefined();
}

}  // namespace

void initNormBindings(Napi::Env env, Napi::Object exports) {
  define(env, exports, "lrn", Lrn);
  define(env, exports, "lrnGrad", LrnGrad);
  define(env, exports, "batchNorm", BatchNorm);
}

}  // namespace convkit::gpu
