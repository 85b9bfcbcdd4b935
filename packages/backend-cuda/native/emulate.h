// CUDA's kernel dialect as plain C++, for the emulator (see device.h).
//
// A launch runs the grid's blocks one after another; a block's threads run
// as fibers on the calling thread. A fiber runs until its next
// __syncthreads() or its end, then the next fiber runs: the most hostile
// schedule there is for a missing barrier (a thread that reads a tile before
// the others wrote it, or overwrites it before they read it, sees the wrong
// values). Barriers that not every thread of a block reaches are reported.
// `__shared__` becomes `static`: one copy, shared by the block's fibers, and
// blocks never overlap. Atomics are plain operations: nothing runs at once.
// With CONVKIT_CUDA_EMULATE_ORDER=reverse, blocks and the threads between
// barriers run last to first: a kernel whose result depends on the order of
// blocks or threads (a race through global memory) then gives other values.
#pragma once

#include <math.h>

#include <cmath>
#include <cstdint>
#include <functional>

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct uint3 {
  unsigned x, y, z;
};
struct alignas(16) float4 {
  float x, y, z, w;
};

// CUDA's built-in variables, set by the emulator before each fiber runs.
extern uint3 threadIdx;
extern uint3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __restrict__ __restrict
#define __syncthreads() ::convkit::emu::syncthreads()

inline float atomicAdd(float *address, float value) {
  float old = *address;
  *address = old + value;
  return old;
}
inline int atomicAdd(int *address, int value) {
  int old = *address;
  *address = old + value;
  return old;
}
inline float rsqrtf(float x) { return 1.0f / std::sqrt(x); }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }

namespace convkit::emu {
/** Runs `body` once per thread of every block of the grid (see the file comment). */
void launch(dim3 grid, dim3 block, const char *kernel, const std::function<void()> &body);
void syncthreads();
}  // namespace convkit::emu

#define CK_LAUNCH(kernel, grid, block, ...) \
  ::convkit::emu::launch((grid), (block), #kernel, [&] { kernel(__VA_ARGS__); })
