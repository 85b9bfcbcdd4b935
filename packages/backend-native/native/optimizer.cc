// Fused optimizer updates: one call updates every variable of a model, where
// the unfused update dispatches four to eight tfjs kernels per variable (each
// with its scalar tensors and bookkeeping). The arithmetic is the unfused
// update's, operation by operation in float32 and in the same order, so the
// two agree to the bit: no FMA contraction (the build sets no -march and
// -std=c++17 turns contraction off), scalars rounded to float once, as
// tfjs' scalar tensors are.
//
// The new values go to output arrays (the caller assigns them to the
// variables): writing a variable's array in place would change it under
// anything that still holds it (a read, a clone, the conv filter cache).
#include <cmath>
#include <sstream>
#include <vector>

#include "common.h"

namespace convkit {

namespace {

/** Argument `index` as a JS array of `count` Float32Arrays, each of `sizes[i]` elements (count 0: sizes are taken from it). */
std::vector<float *> arrays(const Napi::CallbackInfo &info, size_t index, const char *name,
                            std::vector<int64_t> &sizes) {
  if (!info[index].IsArray()) {
    throw Napi::TypeError::New(info.Env(), std::string("convkit native: ") + name + " must be an array of Float32Arrays");
  }
  auto list = info[index].As<Napi::Array>();
  const bool takeSizes = sizes.empty();
  if (!takeSizes && list.Length() != sizes.size()) {
    std::ostringstream message;
    message << "convkit native: " << name << " holds " << list.Length() << " arrays, expected " << sizes.size();
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  std::vector<float *> result(list.Length());
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value value = list.Get(i);
    if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
      std::ostringstream message;
      message << "convkit native: " << name << "[" << i << "] must be a Float32Array";
      throw Napi::TypeError::New(info.Env(), message.str());
    }
    auto array = value.As<Napi::Float32Array>();
    const auto length = static_cast<int64_t>(array.ElementLength());
    if (takeSizes) {
      sizes.push_back(length);
    } else if (length != sizes[i]) {
      std::ostringstream message;
      message << "convkit native: " << name << "[" << i << "] has " << length << " elements, the weight has "
              << sizes[i];
      throw Napi::RangeError::New(info.Env(), message.str());
    }
    result[i] = array.Data();
  }
  return result;
}

/** Per weight, whether L2 decay applies (a Uint8Array of 0/1). */
std::vector<bool> decayFlags(const Napi::CallbackInfo &info, size_t index, size_t count) {
  auto array = typedArray(info, index, "decay", napi_uint8_array, "Uint8Array").As<Napi::Uint8Array>();
  if (array.ElementLength() != count) {
    throw Napi::RangeError::New(info.Env(), "convkit native: decay must hold one flag per weight");
  }
  return std::vector<bool>(array.Data(), array.Data() + count);
}

/** The gradient with L2 decay as the unfused update adds it: g + w·λ. */
inline float decayed(float g, float w, float lambda, bool decay) { return decay ? g + w * lambda : g; }

}  // namespace

/**
 * sgdUpdate(weights[], gradients[], velocities[] | null, newWeights[], newVelocities[] | null,
 *           decay: Uint8Array, lr, momentum, weightDecay, nesterov):
 * v ← μ·v + g; w ← w − lr·v (Nesterov: w ← w − lr·(g + μ·v)); without momentum w ← w − lr·g.
 */
Napi::Value SgdUpdate(const Napi::CallbackInfo &info) {
  std::vector<int64_t> sizes;
  const auto w = arrays(info, 0, "weights", sizes);
  const auto g = arrays(info, 1, "gradients", sizes);
  const bool hasMomentum = !info[2].IsNull();
  const auto v = hasMomentum ? arrays(info, 2, "velocities", sizes) : std::vector<float *>();
  const auto wOut = arrays(info, 3, "newWeights", sizes);
  const auto vOut = hasMomentum ? arrays(info, 4, "newVelocities", sizes) : std::vector<float *>();
  const auto decay = decayFlags(info, 5, sizes.size());
  const float lr = static_cast<float>(number(info, 6, "lr"));
  const float mu = static_cast<float>(number(info, 7, "momentum"));
  const float lambda = static_cast<float>(number(info, 8, "weightDecay"));
  const bool nesterov = info[9].ToBoolean();
  for (size_t t = 0; t < sizes.size(); t++) {
    const int64_t size = sizes[t];
    const float *wi = w[t], *gi = g[t];
    float *wo = wOut[t];
    const bool d = decay[t];
    if (!hasMomentum) {
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
      for (int64_t i = 0; i < size; i++) wo[i] = wi[i] - decayed(gi[i], wi[i], lambda, d) * lr;
      continue;
    }
    const float *vi = v[t];
    float *vo = vOut[t];
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t i = 0; i < size; i++) {
      const float gd = decayed(gi[i], wi[i], lambda, d);
      const float vn = vi[i] * mu + gd;
      vo[i] = vn;
      const float direction = nesterov ? gd + vn * mu : vn;
      wo[i] = wi[i] - direction * lr;
    }
  }
  return info.Env().Undefined();
}

/**
 * adamUpdate(weights[], gradients[], m[], v[], newWeights[], newM[], newV[], decay: Uint8Array,
 *            lr, beta1, beta2, epsilon, weightDecay, bias1, bias2):
 * m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; w ← w − lr·m̂/(√v̂ + ε), with m̂ = m/bias1,
 * v̂ = v/bias2. The caller computes the bias corrections 1 − β^step in JS (V8's pow and
 * the C library's may differ in the last bit); each is rounded to float once, as a scalar tensor is.
 */
Napi::Value AdamUpdate(const Napi::CallbackInfo &info) {
  std::vector<int64_t> sizes;
  const auto w = arrays(info, 0, "weights", sizes);
  const auto g = arrays(info, 1, "gradients", sizes);
  const auto m = arrays(info, 2, "m", sizes);
  const auto v = arrays(info, 3, "v", sizes);
  const auto wOut = arrays(info, 4, "newWeights", sizes);
  const auto mOut = arrays(info, 5, "newM", sizes);
  const auto vOut = arrays(info, 6, "newV", sizes);
  const auto decay = decayFlags(info, 7, sizes.size());
  const double beta1 = number(info, 9, "beta1"), beta2 = number(info, 10, "beta2");
  const float lr = static_cast<float>(number(info, 8, "lr"));
  const float b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
  // The unfused update computes these in double (JS numbers) and rounds them to float32 scalars.
  const float c1 = static_cast<float>(1 - beta1), c2 = static_cast<float>(1 - beta2);
  const float bias1 = static_cast<float>(number(info, 13, "bias1"));
  const float bias2 = static_cast<float>(number(info, 14, "bias2"));
  const float eps = static_cast<float>(number(info, 11, "epsilon"));
  const float lambda = static_cast<float>(number(info, 12, "weightDecay"));
  for (size_t t = 0; t < sizes.size(); t++) {
    const int64_t size = sizes[t];
    const float *wi = w[t], *gi = g[t], *mi = m[t], *vi = v[t];
    float *wo = wOut[t], *mo = mOut[t], *vo = vOut[t];
    const bool d = decay[t];
#pragma omp parallel for if (size > kParallelGrain) schedule(static)
    for (int64_t i = 0; i < size; i++) {
      const float gd = decayed(gi[i], wi[i], lambda, d);
      const float mn = mi[i] * b1 + gd * c1;
      const float vn = vi[i] * b2 + (gd * gd) * c2;
      mo[i] = mn;
      vo[i] = vn;
      const float mHat = mn / bias1, vHat = vn / bias2;
      wo[i] = wi[i] - (mHat / (std::sqrt(vHat) + eps)) * lr;
    }
  }
  return info.Env().Undefined();
}

void initOptimizer(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdUpdate", Napi::Function::New(env, SgdUpdate));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
}

}  // namespace convkit
