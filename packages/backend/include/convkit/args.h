// Checked access to the arguments of the addons' entry points, shared by the
// oneDNN addon and the CUDA addon. Every check throws a JS TypeError or
// RangeError that names the argument and repeats what was received.
#pragma once

#include <napi.h>

#include <cstdint>
#include <vector>

namespace convkit {

/** Argument `index` as a Float32Array of at least `minLength` elements; throws a TypeError naming it. */
float *floats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength);
/** Like floats(), but null or undefined gives nullptr. */
float *optionalFloats(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minLength);
/** Argument `index` as an Int32Array of exactly `count` integers (geometry, shapes). */
std::vector<int64_t> ints(const Napi::CallbackInfo &info, size_t index, const char *name, size_t count);
/** Argument `index` as an Int32Array of any length. */
std::vector<int64_t> intList(const Napi::CallbackInfo &info, size_t index, const char *name);
/** Argument `index` as a number. */
double number(const Napi::CallbackInfo &info, size_t index, const char *name);
/** Argument `index` as any typed array: its bytes, in place. */
Napi::TypedArray anyTypedArray(const Napi::CallbackInfo &info, size_t index, const char *name);

}  // namespace convkit
