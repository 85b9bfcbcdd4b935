// The host side of the GPU: the device, memory, copies and the stream. Two
// implementations: runtime_cuda.cu (the CUDA runtime, linked statically) and
// runtime_emulate.cc (host memory, for the emulator). Memory comes from a
// caching allocator shared by both (allocator.cc).
//
// All work goes to one stream, in order: a block freed here may be handed
// out again at once, because any kernel still reading it was queued earlier
// on the same stream (PyTorch's caching allocator relies on the same order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#ifndef CONVKIT_CUDA_EMULATE
struct CUstream_st;  // cudaStream_t's struct, from CUDA's driver_types.h
#endif

namespace convkit::gpu {

/** A failure of the CUDA runtime or the emulator; the message names the call and CUDA's error. */
class GpuError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DeviceInfo {
  std::string name;
  int major = 0, minor = 0;
  size_t totalBytes = 0;
  int multiprocessors = 0;
  int driverVersion = 0, runtimeVersion = 0;
  bool emulated = false;
};

/** Starts the device (once); throws GpuError saying why there is none (no driver, no device, too old). */
const DeviceInfo &device();

/** Raw device memory, no caching (the allocator's source). Null when the device is out of memory. */
void *rawAllocate(size_t bytes);
void rawFree(void *pointer);

/** Copies in stream order; upload/download return when the host memory may be reused/read. */
void upload(void *device, const void *host, size_t bytes);
void download(void *host, const void *device, size_t bytes);
void copyOnDevice(void *to, const void *from, size_t bytes);
void fillZero(void *device, size_t bytes);
/** Waits for every queued kernel and copy. */
void synchronize();
/** Throws GpuError if the last launch failed (bad configuration, or an earlier kernel faulted). */
void checkLaunch(const char *kernel);

#ifndef CONVKIT_CUDA_EMULATE
/** The stream every kernel and copy goes to (CK_LAUNCH uses it). */
::CUstream_st *currentStream();
#endif

// The caching allocator (allocator.cc).

/** Device memory of at least `bytes` (reused from freed blocks when possible); throws GpuError when exhausted. */
void *allocate(size_t bytes);
/** Returns a block from allocate() to the cache. */
void release(void *pointer);
/** The size of the live block that starts at `pointer`, 0 if there is none. */
size_t blockSize(const void *pointer);
/** Gives the cached blocks back to the device. */
void emptyCache();

struct MemoryStats {
  size_t liveBytes = 0, liveBlocks = 0, cachedBytes = 0, peakBytes = 0, deviceAllocations = 0;
};
MemoryStats memoryStats();

}  // namespace convkit::gpu
