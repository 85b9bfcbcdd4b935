// Fill, cast and strided copies (copy.cu): the data movement that transpose,
// slice, concat, pad, reverse and broadcast are made of.
#pragma once

#include <cstdint>

namespace convkit::gpu {

/** Element types on the device; bool is stored as int32 0/1. */
enum DType : int { kFloat32 = 0, kInt32 = 1, kBool = 2 };

constexpr int kMaxRank = 8;

/** A box of elements and where it lies in two arrays: element offsets and strides (may be negative). */
struct StridedBox {
  int rank;
  int64_t dims[kMaxRank];
  int64_t toStrides[kMaxRank];
  int64_t fromStrides[kMaxRank];
  int64_t toOffset;
  int64_t fromOffset;
};

/** out[0..count) = value, for 4-byte elements given as their bit pattern. */
void launchFill(uint32_t *out, int64_t count, uint32_t bits);
/** out = in converted: float → int32 truncates toward zero (NaN → 0), anything → bool is != 0. */
void launchCast(void *out, const void *in, int64_t count, DType from, DType to);
/** Copies the box's 4-byte elements from `from` to `to`. */
void launchStridedCopy(uint32_t *to, const uint32_t *from, const StridedBox &box);

}  // namespace convkit::gpu
