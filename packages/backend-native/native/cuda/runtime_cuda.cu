// runtime.h on the CUDA runtime. cudart is linked statically, so the addon
// loads on machines without CUDA; cudart then looks for the driver
// (libcuda.so.1) at the first call and reports its absence as an error code,
// which device() turns into a message.
#include <cuda_runtime.h>

#include <sstream>

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

void upload(void *to, const void *from, size_t bytes) {
  if (bytes == 0) return;
  // Pageable host memory: the call returns once the data is staged, so the caller may reuse it.
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
