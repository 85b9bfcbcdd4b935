// What every kernel file (*.cu) includes. The same source builds two ways:
// with nvcc for NVIDIA GPUs, and with g++ as C++ for the emulator
// (CONVKIT_CUDA_EMULATE, emulate.h), which runs each block's threads as
// fibers on the CPU so the kernels are tested on machines without a GPU.
//
// Rules for kernel code, so that both builds mean the same thing:
// - launch with CK_LAUNCH(kernel, grid, block, args...), never <<<>>>;
// - shared memory only as fixed-size `__shared__` arrays (no extern dynamic);
// - no warp intrinsics (__shfl*, __ballot*): reductions go through shared memory;
// - ckMin/ckMax for integers, fminf/fmaxf/expf/... for floats;
// - put each file's kernels and helpers in its own namespace: the emulator
//   compiles every .cu file into one translation unit.
#pragma once

#include <cstdint>

#include "runtime.h"

#ifdef CONVKIT_CUDA_EMULATE
#include "emulate.h"
#else
#include <cuda_runtime.h>

/** Launches `kernel` on the backend's stream; launch errors surface in gpu::checkLaunch. */
#define CK_LAUNCH(kernel, grid, block, ...) \
  kernel<<<(grid), (block), 0, ::convkit::gpu::currentStream()>>>(__VA_ARGS__)
#endif

namespace convkit::gpu {

template <class T>
__host__ __device__ __forceinline__ T ckMin(T a, T b) {
  return a < b ? a : b;
}
template <class T>
__host__ __device__ __forceinline__ T ckMax(T a, T b) {
  return a < b ? b : a;
}
/** Blocks of `threads` that cover `count` items, capped for grid-stride loops. */
inline unsigned blocksFor(int64_t count, unsigned threads, int64_t cap = 65535) {
  int64_t blocks = (count + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 1 ? 1 : blocks > cap ? cap : blocks);
}

}  // namespace convkit::gpu
