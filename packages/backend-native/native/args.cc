// Checked access to entry-point arguments (args.h).
#include "args.h"

#include <sstream>
#include <string>

namespace convkit {

static Napi::TypedArray typedArray(const Napi::CallbackInfo &info, size_t index, const char *name,
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

float *floats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength) {
  auto array = typedArray(info, index, name, napi_float32_array, "Float32Array").As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) < minLength) {
    std::ostringstream message;
    message << "convkit native: " << name << " has " << array.ElementLength() << " elements, the geometry needs "
            << minLength;
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return array.Data();
}

float *optionalFloats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength) {
  if (info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return floats(info, index, name, minLength);
}

std::vector<int64_t> ints(const Napi::CallbackInfo &info, size_t index, const char *name, size_t count) {
  auto array = typedArray(info, index, name, napi_int32_array, "Int32Array").As<Napi::Int32Array>();
  if (array.ElementLength() != count) {
    std::ostringstream message;
    message << "convkit native: " << name << " must hold " << count << " integers, received "
            << array.ElementLength();
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return std::vector<int64_t>(array.Data(), array.Data() + count);
}

double number(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (!info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string("convkit native: ") + name + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

std::vector<int64_t> intList(const Napi::CallbackInfo &info, size_t index, const char *name) {
  auto array = typedArray(info, index, name, napi_int32_array, "Int32Array").As<Napi::Int32Array>();
  return std::vector<int64_t>(array.Data(), array.Data() + array.ElementLength());
}

Napi::TypedArray anyTypedArray(const Napi::CallbackInfo &info, size_t index, const char *name) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray()) {
    throw Napi::TypeError::New(info.Env(), std::string("convkit: argument ") + std::to_string(index) + " (" + name +
                                               ") must be a typed array");
  }
  return value.As<Napi::TypedArray>();
}

}  // namespace convkit
