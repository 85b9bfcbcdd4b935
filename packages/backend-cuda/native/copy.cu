// Fill, cast and strided copies (copy.h).
#include "copy.h"
#include "device.h"

namespace convkit::gpu {
namespace copy {

constexpr unsigned kThreads = 256;

__global__ void fill(uint32_t *out, int64_t count, uint32_t bits) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x)
    out[i] = bits;
}

__device__ __forceinline__ int32_t truncate(float v) {
  // tfjs' cpu backend casts with Int32Array.from: truncation toward zero, NaN → 0, wrapping out of range.
  // From 2^63 on, a float is a multiple of 2^40, so wrapping gives 0 (and GPUs saturate the int64 cast there).
  if (!(fabsf(v) < 9.2233720e18f)) return 0;
  if (v >= 2147483648.0f || v < -2147483648.0f) return static_cast<int32_t>(static_cast<int64_t>(v));
  return static_cast<int32_t>(v);
}

__global__ void cast(void *out, const void *in, int64_t count, int from, int to) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x) {
    const float f = from == kFloat32 ? static_cast<const float *>(in)[i] : 0.0f;
    const int32_t n = from == kFloat32 ? 0 : static_cast<const int32_t *>(in)[i];
    if (to == kFloat32) {
      static_cast<float *>(out)[i] = from == kFloat32 ? f : static_cast<float>(n);
    } else if (to == kInt32) {
      static_cast<int32_t *>(out)[i] = from == kFloat32 ? truncate(f) : n;
    } else {
      static_cast<int32_t *>(out)[i] = (from == kFloat32 ? f != 0.0f : n != 0) ? 1 : 0;
    }
  }
}

/** Index: int32_t when every offset fits (64-bit division is slow on GPUs), else int64_t. */
template <class Index>
__global__ void stridedCopy(uint32_t *to, const uint32_t *from, StridedBox box, Index count) {
  for (Index i = blockIdx.x * Index(blockDim.x) + threadIdx.x; i < count; i += Index(blockDim.x) * gridDim.x) {
    Index rest = i;
    int64_t t = box.toOffset;
    int64_t f = box.fromOffset;
    for (int d = box.rank - 1; d >= 0; d--) {
      const Index coordinate = rest % static_cast<Index>(box.dims[d]);
      rest /= static_cast<Index>(box.dims[d]);
      t += coordinate * box.toStrides[d];
      f += coordinate * box.fromStrides[d];
    }
    to[t] = from[f];
  }
}

}  // namespace copy

void launchFill(uint32_t *out, int64_t count, uint32_t bits) {
  if (count == 0) return;
  CK_LAUNCH(copy::fill, blocksFor(count, copy::kThreads), copy::kThreads, out, count, bits);
  checkLaunch("fill");
}

void launchCast(void *out, const void *in, int64_t count, DType from, DType to) {
  if (count == 0) return;
  CK_LAUNCH(copy::cast, blocksFor(count, copy::kThreads), copy::kThreads, out, in, count, static_cast<int>(from),
            static_cast<int>(to));
  checkLaunch("cast");
}

void launchStridedCopy(uint32_t *to, const uint32_t *from, const StridedBox &box) {
  int64_t count = 1;
  for (int d = 0; d < box.rank; d++) count *= box.dims[d];
  if (count == 0) return;
  if (count < (int64_t{1} << 31)) {
    CK_LAUNCH(copy::stridedCopy<int32_t>, blocksFor(count, copy::kThreads), copy::kThreads, to, from, box,
              static_cast<int32_t>(count));
  } else {
    CK_LAUNCH(copy::stridedCopy<int64_t>, blocksFor(count, copy::kThreads), copy::kThreads, to, from, box, count);
  }
  checkLaunch("stridedCopy");
}

}  // namespace convkit::gpu
