// Kernels with deliberate bugs, built into the emulated addon only: the tests
// check that the emulator catches what it is there to catch (a missing
// __syncthreads() gives wrong values; a barrier that only some threads reach
// is an error), so that a kernel passing under emulation means something.
#include "bindings.h"
#include "device.h"

namespace convkit::gpu::selftest {
namespace {

constexpr unsigned kThreads = 64;

/** Reverses each block of 64 through shared memory; `barrier` false leaves out the __syncthreads(). */
__global__ void reverse(float *out, const float *in, bool barrier) {
  __shared__ float tile[kThreads];
  const unsigned base = blockIdx.x * kThreads;
  tile[threadIdx.x] = in[base + threadIdx.x];
  if (barrier) __syncthreads();
  out[base + threadIdx.x] = tile[kThreads - 1 - threadIdx.x];
}

/** Half the threads wait at a barrier the others never reach. */
__global__ void divergent(float *out) {
  if (threadIdx.x < kThreads / 2) __syncthreads();
  out[threadIdx.x] = 1.0f;
}

/** Every block writes its index to out[0]: the last block to run wins (a race, on purpose). */
__global__ void lastBlock(float *out) {
  if (threadIdx.x == 0) out[0] = static_cast<float>(blockIdx.x);
}

/**
 * emulatorSelfTest(kind, out, in, blocks): 0 reverse, 1 reverse without a
 * barrier, 2 divergent barrier, 3 the last block to run.
 */
Napi::Value SelfTest(const Napi::CallbackInfo &info) {
  const int kind = static_cast<int>(number(info, 0, "kind"));
  const int64_t blocks = static_cast<int64_t>(number(info, 3, "blocks"));
  float *out = devicePointer<float>(info, 1, "out", blocks * kThreads);
  const float *in = devicePointer<float>(info, 2, "in", blocks * kThreads);
  if (kind == 2) {
    CK_LAUNCH(divergent, 1, kThreads, out);
  } else if (kind == 3) {
    CK_LAUNCH(lastBlock, static_cast<unsigned>(blocks), kThreads, out);
  } else {
    CK_LAUNCH(reverse, static_cast<unsigned>(blocks), kThreads, out, in, kind == 0);
  }
  return info.Env().Undefined();
}

}  // namespace
}  // namespace convkit::gpu::selftest

namespace convkit::gpu {
void initEmulatorSelfTest(Napi::Env env, Napi::Object exports) {
  define(env, exports, "emulatorSelfTest", selftest::SelfTest);
}
}  // namespace convkit::gpu
