// The blocked copy of a filter that conv.cc's forward and backward-data
// primitives read, kept per weight array (see conv.cc's header comment).
#pragma once

#include <vector>

#include "common.h"

namespace convkit {

/** A blocked copy of one weight array, valid while that array is alive. */
struct PackedSlot {
  Napi::ObjectReference owner;
  const float *data = nullptr;
  // The JavaScript side reuses output arrays (src/memory.ts): the same array with new values has a new version.
  double version = -1;
  dnnl::memory packed;
  uint64_t lastUse = 0;
};

/**
 * Blocked copies of the last few weight arrays a primitive ran with. Several
 * layers can share one geometry (VGG's 512-channel blocks), hence several slots.
 */
class PackedWeights {
 public:
  void init(const dnnl::memory::desc &user, const dnnl::memory::desc &packed) {
    user_ = user;
    packedDesc_ = packed;
    toPacked_ = dnnl::reorder(dnnl::reorder::primitive_desc(cpuEngine(), user, cpuEngine(), packed));
  }

  dnnl::memory &get(const Napi::Value &array, float *data, double version) {
    ++clock_;
    PackedSlot *oldest = nullptr;
    for (auto &slot : slots_) {
      if (slot.data == data && slot.version == version && !slot.owner.IsEmpty() && !slot.owner.Value().IsEmpty() &&
          slot.owner.Value().StrictEquals(array)) {
        slot.lastUse = clock_;
        return slot.packed;
      }
      if (!oldest || slot.lastUse < oldest->lastUse) oldest = &slot;
    }
    if (slots_.size() < kSlots) {
      slots_.emplace_back();
      oldest = &slots_.back();
      oldest->packed = dnnl::memory(packedDesc_, cpuEngine());
    }
    dnnl::memory user(user_, cpuEngine(), data);
    toPacked_.execute(cpuStream(), user, oldest->packed);
    oldest->owner = Napi::Weak(array.As<Napi::Object>());
    oldest->data = data;
    oldest->version = version;
    oldest->lastUse = clock_;
    return oldest->packed;
  }

 private:
  static constexpr size_t kSlots = 4;
  dnnl::memory::desc user_, packedDesc_;
  dnnl::reorder toPacked_;
  std::vector<PackedSlot> slots_;
  uint64_t clock_ = 0;
};

}  // namespace convkit
