// The CUDA addon's entry points (compiled by g++, never nvcc): checked
// arguments, device pointers passed from JS as numbers, and the
// registration that turns C++ exceptions into JS errors naming the function.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <sstream>
#include <string>

#include <convkit/args.h>
#include <convkit/module.h>
#include "runtime.h"

namespace convkit::gpu {

/**
 * Argument `index`: a device block (its address, as a JS number) of at least
 * `minElements` elements of T. A pointer that is not a live block of the
 * allocator is refused with a RangeError: a bug in the JS side fails loudly
 * instead of corrupting device memory.
 */
template <class T>
T *devicePointer(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minElements) {
  const double value = number(info, index, name);
  const void *pointer = reinterpret_cast<const void *>(static_cast<uintptr_t>(value));
  const size_t size = blockSize(pointer);
  if (size == 0 || static_cast<double>(size) < static_cast<double>(minElements) * sizeof(T)) {
    std::ostringstream message;
    message << "convkit cuda: " << name << " (argument " << index << ") "
            << (size == 0 ? "is not a live device block" : "is too small") << ": needs " << minElements
            << " elements of " << sizeof(T) << " bytes, block has " << size << " bytes";
    throw Napi::RangeError::New(info.Env(), message.str());
  }
  return static_cast<T *>(const_cast<void *>(pointer));
}

/** Like devicePointer, but null gives nullptr (an optional operand such as a bias). */
template <class T>
T *optionalDevicePointer(const Napi::CallbackInfo &info, size_t index, const char *name, int64_t minElements) {
  if (info[index].IsNull() || info[index].IsUndefined()) return nullptr;
  return devicePointer<T>(info, index, name, minElements);
}

/** Throws a RangeError "convkit cuda: <message>" (a message that names the function and repeats the values). */
[[noreturn]] inline void rangeError(const Napi::CallbackInfo &info, const std::string &message) {
  throw Napi::RangeError::New(info.Env(), "convkit cuda: " + message);
}

/** One integer of a geometry argument: its name and where it goes. */
struct GeometryField {
  const char *name;
  int *field;
};

/**
 * Argument `index`: an Int32Array of one integer per field, stored into the
 * fields; each must be >= 1, or >= 0 from `firstPad` on (the paddings).
 * Errors name `function` and the field and repeat the value.
 */
void readGeometry(const Napi::CallbackInfo &info, size_t index, const char *function,
                  std::initializer_list<GeometryField> fields, size_t firstPad);

using Entry = Napi::Value (*)(const Napi::CallbackInfo &);

/** Adds `entry` to the exports as `name`; a GpuError or other C++ exception it throws becomes a JS Error. */
void define(Napi::Env env, Napi::Object exports, const char *name, Entry entry);

/** The product of dims (a tensor's element count). */
int64_t elementCount(const std::vector<int64_t> &dims);

// Each kernel family adds its entry points (the *_bindings.cc files).
ModulePart initElementwiseBindings, initCopyBindings, initReduceBindings, initMatmulBindings, initConvBindings,
    initPoolBindings, initNormBindings, initDepthwiseBindings;

}  // namespace convkit::gpu
