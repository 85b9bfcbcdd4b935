// Checked access to the arguments of the addons' entry points, shared by the
// oneDNN addon and the CUDA addon. Every check throws a JS TypeError or
// RangeError that names the argument and repeats what was received. Header-only: it ships in
// @convkit/backend's include/ folder, which both addons' binding.gyp add to their include path.
#pragma once

#include <napi.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace convkit {

/** Argument `index` as a typed array of `type`; throws a TypeError naming it and what was received. */
inline Napi::TypedArray typedArray(const Napi::CallbackInfo &info, size_t index, const char *name,
                                   napi_typedarray_type type, const char *typeName) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    std::ostringstream message;
    message << "convkit native: argument " << index << " (" << name << ") must be a " << typeName << ", received "
            << (value.IsTypedArray() ? "another typed array" : value.Type() == napi_undefined ? "undefined"
                                                                                              : "a non-typed-array value");
    throw Napi::TypeError::New(info.Env(), message.str());
  }
  return value.As<Napi::TypedArray>();
}

/** Argument `index` as a Float32Array of at least `minLength` elements; throws a TypeError naming it. */
inline float *floats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength) {
  auto array = typedArray(info, index, name, napi_float32_array, "Float32Array").As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) < minLength) {
    std::ostringstream message;
    message << "convkit native: " << name << " has " << array.ElementLength() << " elements, the geometry needs "
            << minLength;
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return array.Data();
}

/** Like floats(), but null or undefined gives nullptr. */
inline float *optionalFloats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength) {
  if (info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return floats(info, index, name, minLength);
}

/** Argument `index` as an Int32Array of exactly `count` integers (geometry, shapes). */
inline std::vector<int64_t> ints(const Napi::CallbackInfo &info, size_t index, const char *name, size_t count) {
  auto array = typedArray(info, index, name, napi_int32_array, "Int32Array").As<Napi::Int32Array>();
  if (array.ElementLength() != count) {
    std::ostringstream message;
    message << "convkit native: " << name << " must hold " << count << " integers, received "
            << array.ElementLength();
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return std::vector<int64_t>(array.Data(), array.Data() + count);
}

/** Argument `index` as a number. */
inline double number(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string("convkit native: ") + name + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

/** Argument `index` as an Int32Array of any length. */
inline std::vector<int64_t> intList(const Napi::CallbackInfo &info, size_t index, const char *name) {
  auto array = typedArray(info, index, name, napi_int32_array, "Int32Array").As<Napi::Int32Array>();
  return std::vector<int64_t>(array.Data(), array.Data() + array.ElementLength());
}

/** Argument `index` as any typed array: its bytes, in place. */
inline Napi::TypedArray anyTypedArray(const Napi::CallbackInfo &info, size_t index, const char *name) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray()) {
    throw Napi::TypeError::New(info.Env(), std::string("convkit: argument ") + std::to_string(index) + " (" + name +
                                               ") must be a typed array");
  }
  return value.As<Napi::TypedArray>();
}

}  // namespace convkit
