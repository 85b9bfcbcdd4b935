// runtime.h for the emulator: "device" memory is host memory and every copy
// is a memcpy. Kernels run synchronously inside CK_LAUNCH, so there is
// nothing to wait for.
#include <cstdlib>
#include <cstring>

#include "runtime.h"

namespace convkit::gpu {

const DeviceInfo &device() {
  static const DeviceInfo info = [] {
    DeviceInfo made;
    made.name = "convkit CUDA emulator (kernels run on the CPU)";
    made.major = 7;
    made.minor = 5;
    made.multiprocessors = 1;
    made.emulated = true;
    return made;
  }();
  return info;
}

void *rawAllocate(size_t bytes) {
  // 256-byte alignment, as cudaMalloc guarantees (vectorized loads rely on it).
  return std::aligned_alloc(256, (bytes + 255) / 256 * 256);
}
void rawFree(void *pointer) { std::free(pointer); }
void upload(void *to, const void *from, size_t bytes) { std::memcpy(to, from, bytes); }
void download(void *to, const void *from, size_t bytes) { std::memcpy(to, from, bytes); }
void copyOnDevice(void *to, const void *from, size_t bytes) { std::memmove(to, from, bytes); }
void fillZero(void *to, size_t bytes) { std::memset(to, 0, bytes); }
void synchronize() {}
void checkLaunch(const char *) {}

}  // namespace convkit::gpu
