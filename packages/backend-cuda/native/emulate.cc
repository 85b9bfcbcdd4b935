// The emulator's scheduler (emulate.h): fibers made with makecontext, switched
// with _setjmp/_longjmp once started (swapcontext would make a system call
// per switch to save the signal mask).
#include "emulate.h"

#include <setjmp.h>
#include <ucontext.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

uint3 threadIdx{0, 0, 0};
uint3 blockIdx{0, 0, 0};
dim3 blockDim;
dim3 gridDim;

namespace convkit::emu {
namespace {

constexpr size_t kStackBytes = 256 * 1024;

struct Fiber {
  ucontext_t context;
  jmp_buf resume;
  std::unique_ptr<char[]> stack;
  bool started = false;
  bool done = false;
  uint64_t barriers = 0;
};

std::vector<Fiber> fibers;
jmp_buf scheduler;
ucontext_t schedulerContext;
const std::function<void()> *body = nullptr;
size_t current = 0;
bool running = false;

void entry() {
  (*body)();
  fibers[current].done = true;
  _longjmp(scheduler, 1);
}

/** CONVKIT_CUDA_EMULATE_ORDER=reverse runs blocks, and threads between barriers, last to first. */
bool reverseOrder() {
  const char *order = std::getenv("CONVKIT_CUDA_EMULATE_ORDER");
  return order != nullptr && std::strcmp(order, "reverse") == 0;
}

void runBlock(size_t threads, bool reverse) {
  for (size_t t = 0; t < threads; t++) {
    Fiber &fiber = fibers[t];
    fiber.started = false;
    fiber.done = false;
    fiber.barriers = 0;
  }
  // volatile: the loop resumes here by _longjmp from the fibers.
  volatile size_t finished = 0;
  while (finished < threads) {
    for (volatile size_t i = 0; i < threads; i++) {
      const size_t t = reverse ? threads - 1 - i : i;
      Fiber &fiber = fibers[t];
      if (fiber.done) continue;
      current = t;
      threadIdx = {static_cast<unsigned>(t % blockDim.x), static_cast<unsigned>(t / blockDim.x % blockDim.y),
                   static_cast<unsigned>(t / (blockDim.x * blockDim.y))};
      if (_setjmp(scheduler) == 0) {
        if (fiber.started) _longjmp(fiber.resume, 1);
        fiber.started = true;
        getcontext(&fiber.context);
        fiber.context.uc_stack.ss_sp = fiber.stack.get();
        fiber.context.uc_stack.ss_size = kStackBytes;
        fiber.context.uc_link = nullptr;
        makecontext(&fiber.context, entry, 0);
        swapcontext(&schedulerContext, &fiber.context);
      }
      if (fiber.done) finished = finished + 1;
    }
    // After a round every live thread waits at the same barrier, or the block diverged.
    uint64_t barrier = UINT64_MAX;
    bool someDone = finished > 0;
    for (size_t t = 0; t < threads; t++) {
      if (fibers[t].done) continue;
      if (someDone || (barrier != UINT64_MAX && fibers[t].barriers != barrier)) {
        throw std::runtime_error("a __syncthreads() that not every thread of block (" + std::to_string(blockIdx.x) +
                                 "," + std::to_string(blockIdx.y) + "," + std::to_string(blockIdx.z) +
                                 ") reaches (thread " + std::to_string(t) + ")");
      }
      barrier = fibers[t].barriers;
    }
  }
}

}  // namespace

void syncthreads() {
  Fiber &fiber = fibers[current];
  fiber.barriers++;
  if (_setjmp(fiber.resume) == 0) _longjmp(scheduler, 1);
}

void launch(dim3 grid, dim3 block, const char *kernel, const std::function<void()> &fn) {
  const size_t threads = size_t{block.x} * block.y * block.z;
  auto fail = [&](const std::string &why) {
    throw std::runtime_error(std::string("launch of ") + kernel + ": " + why + " (grid " + std::to_string(grid.x) +
                             "x" + std::to_string(grid.y) + "x" + std::to_string(grid.z) + ", block " +
                             std::to_string(block.x) + "x" + std::to_string(block.y) + "x" + std::to_string(block.z) +
                             ")");
  };
  // CUDA's limits, so that a launch the emulator accepts also runs on a GPU.
  if (threads == 0 || threads > 1024 || block.z > 64) fail("invalid block size");
  if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535) fail("invalid grid size");
  if (running) fail("launched from inside a kernel");
  while (fibers.size() < threads) {
    fibers.emplace_back();
    fibers.back().stack.reset(new char[kStackBytes]);
  }
  running = true;
  body = &fn;
  gridDim = grid;
  blockDim = block;
  const bool reverse = reverseOrder();
  try {
    // Kernels must not depend on the order of blocks: the reverse order checks it.
    for (unsigned zi = 0; zi < grid.z; zi++)
      for (unsigned yi = 0; yi < grid.y; yi++)
        for (unsigned xi = 0; xi < grid.x; xi++) {
          blockIdx = reverse ? uint3{grid.x - 1 - xi, grid.y - 1 - yi, grid.z - 1 - zi} : uint3{xi, yi, zi};
          runBlock(threads, reverse);
        }
  } catch (const std::runtime_error &error) {
    running = false;
    fail(error.what());
  }
  running = false;
}

}  // namespace convkit::emu
