// How both addons (the oneDNN one in @convkit/backend-native, the CUDA one in
// @convkit/backend-cuda) are put together: each kernel family's file adds its
// entry points to the module's exports, and the module's Init adds the parts
// in order. Header-only, like args.h.
#pragma once

#include <napi.h>

#include <initializer_list>

namespace convkit {

/**
 * One part of an addon: adds its entry points to `exports`. A function type,
 * so that a header declares a module's parts in one line:
 * `ModulePart initConv, initPool;`.
 */
using ModulePart = void(Napi::Env env, Napi::Object exports);

/** Adds every part's entry points to `exports`, in order. */
inline void addParts(Napi::Env env, Napi::Object exports, std::initializer_list<ModulePart *> parts) {
  for (ModulePart *part : parts) part(env, exports);
}

}  // namespace convkit
