// runtime.h on the CUDA runtime. cudart is linked statically, so the addon
// loads on machines without CUDA; cudart then looks for the driver
// (libcuda.so.1) at the first call and reports its absence as an error code,
// which device() turns into a message.
#include <cuda_runtime.h>

#include <cstring>
#include <sstream>
#include <vector>

#include "runtime.h"

namespace convkit::gpu {
namespace {

cudaStream_t stream = nullptr;

[[noreturn]] void fail(const char *call, cudaError_t status) {
  std::ostringstream message;
  message << call << " failed: " << cudaGetErrorName(status) << " (" << cudaGetErrorString(status) << ")";
  throw GpuError(message.str());
}

void check(const char *call, cudaError_t status) {
  if (status != cudaSuccess) fail(call, status);
}

std::string whyNoDevice(cudaError_t status) {
  switch (status) {
    case cudaErrorInsufficientDriver:
      return "no NVIDIA driver that can run CUDA 13 programs (libcuda.so.1 missing or older than the CUDA runtime): "
             "install the NVIDIA driver (580 or newer)";
    case cudaErrorNoDevice:
      return "the NVIDIA driver is installed but reports no CUDA device (check nvidia-smi and CUDA_VISIBLE_DEVICES)";
    default: {
      std::ostringstream message;
      message << "cudaGetDeviceCount failed: " << cudaGetErrorName(status) << " (" << cudaGetErrorString(status) << ")";
      return message.str();
    }
  }
}

DeviceInfo start() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear the sticky-free error so a later retry starts clean
    throw GpuError(whyNoDevice(status));
  }
  if (count == 0) throw GpuError(whyNoDevice(cudaErrorNoDevice));
  check("cudaSetDevice(0)", cudaSetDevice(0));
  cudaDeviceProp props{};
  check("cudaGetDeviceProperties", cudaGetDeviceProperties(&props, 0));
  if (props.major < 7 || (props.major == 7 && props.minor < 5)) {
    std::ostringstream message;
    message << props.name << " has compute capability " << props.major << "." << props.minor
            << "; CUDA 13 and convkit's kernels need 7.5 (Turing) or newer";
    throw GpuError(message.str());
  }
  check("cudaStreamCreateWithFlags", cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  DeviceInfo info;
  info.name = props.name;
  info.major = props.major;
  info.minor = props.minor;
  info.totalBytes = props.totalGlobalMem;
  info.multiprocessors = props.multiProcessorCount;
  cudaDriverGetVersion(&info.driverVersion);
  cudaRuntimeGetVersion(&info.runtimeVersion);
  return info;
}

}  // namespace

const DeviceInfo &device() {
  // Not a function-local static with an initializer: a failed start must be retried and rethrown each time.
  static DeviceInfo info;
  static bool started = false;
  if (!started) {
    info = start();
    started = true;
  }
  return info;
}

cudaStream_t currentStream() { return stream; }

void *rawAllocate(size_t bytes) {
  void *pointer = nullptr;
  cudaError_t status = cudaMalloc(&pointer, bytes);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    return nullptr;
  }
  check("cudaMalloc", status);
  return pointer;
}

void rawFree(void *pointer) {
  // cudaFree waits for the device; blocks in flight on the stream finish first.
  check("cudaFree", cudaFree(pointer));
}

namespace {

/**
 * Pinned host buffers for uploads. A copy from pageable memory may wait for
 * the stream (the driver stages it through its own pinned buffer), which
 * would stall the host behind every queued kernel each time a step uploads
 * a batch or a dropout mask. Copying into a pinned buffer first and queueing
 * the DMA from there keeps the upload asynchronous; a buffer is reused once
 * the event recorded after its copy has completed.
 */
struct Staging {
  void *host;
  size_t bytes;
  cudaEvent_t done;
};
std::vector<Staging> staging;
size_t stagingBytes = 0;
constexpr size_t kStagingLimit = size_t{256} << 20;  // pinned memory kept for uploads at most

Staging *freeStaging(size_t bytes) {
  Staging *best = nullptr;
  for (Staging &slot : staging) {
    if (slot.bytes < bytes || (best && best->bytes <= slot.bytes)) continue;
    const cudaError_t status = cudaEventQuery(slot.done);
    if (status == cudaSuccess) {
      best = &slot;
    } else if (status == cudaErrorNotReady) {
      // An answer (the buffer is still being read), but the runtime also keeps it as the last error,
      // which the next launch check would report: clear it.
      cudaGetLastError();
    } else {
      fail("cudaEventQuery (upload)", status);
    }
  }
  size_t size = 1 << 16;
  while (size < bytes) size <<= 1;
  if (best || stagingBytes + size > kStagingLimit) return best;
  Staging made{nullptr, size, nullptr};
  if (cudaHostAlloc(&made.host, size, cudaHostAllocDefault) != cudaSuccess) {
    cudaGetLastError();
    return nullptr;
  }
  if (cudaEventCreateWithFlags(&made.done, cudaEventDisableTiming) != cudaSuccess) {
    cudaGetLastError();
    cudaFreeHost(made.host);
    return nullptr;
  }
  stagingBytes += size;
  staging.push_back(made);
  return &staging.back();
}

}  // namespace

void upload(void *to, const void *from, size_t bytes) {
  if (bytes == 0) return;
  if (Staging *slot = freeStaging(bytes)) {
    std::memcpy(slot->host, from, bytes);
    check("cudaMemcpyAsync (upload)", cudaMemcpyAsync(to, slot->host, bytes, cudaMemcpyHostToDevice, stream));
    check("cudaEventRecord (upload)", cudaEventRecord(slot->done, stream));
    return;
  }
  // Too big for the staging buffers, or all in flight: a pageable copy (the call returns once the data is staged).
  check("cudaMemcpyAsync (upload)", cudaMemcpyAsync(to, from, bytes, cudaMemcpyHostToDevice, stream));
}

void download(void *to, const void *from, size_t bytes) {
  if (bytes > 0) check("cudaMemcpyAsync (download)", cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToHost, stream));
  check("cudaStreamSynchronize (download)", cudaStreamSynchronize(stream));
}

void copyOnDevice(void *to, const void *from, size_t bytes) {
  if (bytes > 0) check("cudaMemcpyAsync (device)", cudaMemcpyAsync(to, from, bytes, cudaMemcpyDeviceToDevice, stream));
}

void fillZero(void *to, size_t bytes) {
  if (bytes > 0) check("cudaMemsetAsync", cudaMemsetAsync(to, 0, bytes, stream));
}

void synchronize() { check("cudaStreamSynchronize", cudaStreamSynchronize(stream)); }

void checkLaunch(const char *kernel) {
  cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess) {
    std::ostringstream message;
    message << "kernel " << kernel << ": " << cudaGetErrorName(status) << " (" << cudaGetErrorString(status) << ")";
    throw GpuError(message.str());
  }
}

}  // namespace convkit::gpu
