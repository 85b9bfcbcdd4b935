// Shared pieces of the addon: the oneDNN engine and stream, argument
// checking, the thread count, and a small cache of oneDNN primitives.
//
// Every entry point runs synchronously on Node's main thread and works on the
// memory of the Float32Arrays it receives (the tfjs cpu backend's storage), so
// nothing is copied in or out. oneDNN and the loops here parallelize with
// OpenMP over `threads()` threads.
#pragma once

#include <napi.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include <convkit/args.h>
#include <convkit/geometry.h>
#include <convkit/module.h>

namespace convkit {

dnnl::engine &cpuEngine();
dnnl::stream &cpuStream();

/** Threads for oneDNN and for the loops here (omp_set_num_threads on the calling thread). */
int threads();
void setThreads(int count);

/**
 * Work (in elements touched) below which a loop runs on one thread: waking the team costs more.
 * A parallel region spends ~20 µs or more waking a thread that has slept (omp_wait_policy.cc: after a
 * 0.2 ms spin), about what a vectorized loop over 128K elements takes.
 */
constexpr int64_t kParallelGrain = 1 << 17;

/**
 * Runs oneDNN on the calling thread alone while alive (when `serial`): oneDNN
 * plans a primitive for omp_get_max_threads() at creation, so a primitive made
 * and run inside the scope never wakes the team. For primitives of a few µs
 * (matmul.cc's small products), whose cost the ~20 µs wake-up would dominate.
 * A primitive made inside must be run inside: cache it under a key that decides both.
 */
class SerialScope {
 public:
  explicit SerialScope(bool serial);
  ~SerialScope();
  SerialScope(const SerialScope &) = delete;
  SerialScope &operator=(const SerialScope &) = delete;

 private:
  int previous_ = 0;
};


/** A key for a primitive cache: the kernel's name and every integer that shapes it. */
std::string cacheKey(const char *kind, const std::vector<int64_t> &values);

/**
 * oneDNN primitives by shape. Creating one runs oneDNN's dispatcher and JIT
 * (0.1 to 10 ms), so a training loop that repeats shapes must reuse them.
 * The cache is bounded: past `capacity` entries it starts over.
 */
template <class T>
class PrimitiveCache {
 public:
  explicit PrimitiveCache(size_t capacity = 512) : capacity_(capacity) {}

  T &get(const std::string &key, const std::function<std::unique_ptr<T>()> &make) {
    auto found = entries_.find(key);
    if (found != entries_.end()) return *found->second;
    if (entries_.size() >= capacity_) entries_.clear();
    auto made = make();
    T &ref = *made;
    entries_.emplace(key, std::move(made));
    return ref;
  }

  void clear() { entries_.clear(); }

 private:
  size_t capacity_;
  std::unordered_map<std::string, std::unique_ptr<T>> entries_;
};

/**
 * Whether oneDNN chose an implementation built on its JIT SGEMM ("gemm:jit").
 * In oneDNN 2.6.3 those kernels keep data below the stack pointer past the
 * red zone, so a signal arriving while they run (a profiler's SIGPROF, a
 * Ctrl-C) overwrites it and corrupts the heap (reproduced with a timer
 * signal and dnnl_sgemm alone). The brgemm and direct JIT kernels are safe.
 */
bool usesJitSgemm(const char *implementation);

/**
 * Moves `pd` past implementations that use the JIT SGEMM; false when none is
 * left (the cpu kernel runs). The op descriptor `pd` was made from must still
 * be alive: oneDNN's iterator keeps a pointer to it.
 */
template <class PrimitiveDesc>
bool acceptable(PrimitiveDesc &pd) {
  while (usesJitSgemm(pd.impl_info_str())) {
    if (!pd.next_impl()) return false;
  }
  return true;
}

/** Post-ops for tfjs' fused activations (codes in elementwise.h). */
dnnl::primitive_attr activationAttr(int activation, float alpha);

/** Registers a function that empties a cache when the thread count changes (oneDNN plans for a team size). */
void onThreadsChanged(std::function<void()> clear);

/**
 * Removes the GOMP_SPINCOUNT that omp_wait_policy.cc put in the environment
 * for libgomp's start-up (nothing when the user had set it or OMP_WAIT_POLICY).
 */
void restoreOmpEnvironment();

/** Module parts: each adds its functions to the exports. */
ModulePart initConv, initMatmul, initPool, initNorm, initElementwise, initReduce;

}  // namespace convkit
