// The caching allocator (runtime.h): freed blocks are kept by size and handed
// out again, because cudaMalloc/cudaFree synchronize the device and cost tens
// of microseconds, more than a small kernel. Sizes are rounded up (512 bytes,
// then to a quarter of the next power of two) so that a training loop's
// repeating shapes find their blocks. When the device runs out, the cache is
// emptied and the allocation retried once.
#include <map>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "runtime.h"

namespace convkit::gpu {
namespace {

std::multimap<size_t, void *> cached;             // size → free block
std::unordered_map<const void *, size_t> live;   // block → size
MemoryStats stats;

size_t roundUp(size_t bytes) {
  if (bytes <= 512) return 512;
  if (bytes <= (1 << 20)) return (bytes + 511) / 512 * 512;
  size_t power = 1;
  while (power < bytes) power <<= 1;
  size_t step = power / 8;
  return (bytes + step - 1) / step * step;
}

}  // namespace

void *allocate(size_t bytes) {
  device();  // throws when there is no device
  const size_t size = roundUp(bytes);
  // The smallest cached block that fits, if it is not much bigger than asked for.
  auto found = cached.lower_bound(size);
  void *pointer = nullptr;
  size_t blockBytes = size;
  if (found != cached.end() && found->first <= size + size / 4) {
    pointer = found->second;
    blockBytes = found->first;
    stats.cachedBytes -= blockBytes;
    cached.erase(found);
  } else {
    pointer = rawAllocate(size);
    if (pointer == nullptr) {
      emptyCache();
      pointer = rawAllocate(size);
    }
    if (pointer == nullptr) {
      std::ostringstream message;
      message << "out of device memory allocating " << bytes << " bytes (" << stats.liveBytes << " bytes live in "
              << stats.liveBlocks << " tensors): dispose tensors or use a smaller batch";
      throw GpuError(message.str());
    }
    stats.deviceAllocations++;
  }
  live.emplace(pointer, blockBytes);
  stats.liveBytes += blockBytes;
  stats.liveBlocks++;
  if (stats.liveBytes > stats.peakBytes) stats.peakBytes = stats.liveBytes;
  return pointer;
}

void release(void *pointer) {
  auto found = live.find(pointer);
  if (found == live.end()) throw GpuError("release of a pointer that is not a live device block");
  const size_t size = found->second;
  live.erase(found);
  stats.liveBytes -= size;
  stats.liveBlocks--;
  cached.emplace(size, pointer);
  stats.cachedBytes += size;
}

size_t blockSize(const void *pointer) {
  auto found = live.find(pointer);
  return found == live.end() ? 0 : found->second;
}

void emptyCache() {
  if (cached.empty()) return;
  synchronize();
  for (auto &[size, pointer] : cached) rawFree(pointer);
  cached.clear();
  stats.cachedBytes = 0;
}

MemoryStats memoryStats() { return stats; }

}  // namespace convkit::gpu
