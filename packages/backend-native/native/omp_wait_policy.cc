// Short spinning OpenMP waits (about 0.2 ms) unless the user chose otherwise.
//
// libgomp (oneDNN's thread runtime in Debian's build) reads its wait policy
// once, from the environment, when it is loaded. Its default spins ~300,000
// pauses (6 ms on the 2-core EPYC) at every barrier and between the addon's
// calls before a waiting thread sleeps; PyTorch and ONNX Runtime spin the same
// way. That once made native 10-20x slower whenever another thread wanted a
// core (issue 17, item 12: the main thread spun at barriers while the OpenMP
// worker waited for a core), so the addon asked for passive waits. Since then
// the barrier-heavy kernels (the filter gradients) run one single-thread
// primitive per thread, and passive waits had become the larger cost on an
// idle machine: waking a sleeping thread of this VM takes 50-150 µs per
// parallel kernel, a fifth of LeNet-5's training step (2.3-2.5 ms passive,
// 1.9-2.2 ms with this spin, 1.8-2.1 ms with libgomp's 6 ms; issue 21). A
// 0.2 ms spin covers the gaps between one step's kernels and bounds what a
// waiting thread burns. Under load it costs: with one busy process on the 2
// cores, AlexNet's batch-1 forward took 25 ms instead of 15 passive.
// OMP_WAIT_POLICY=passive (libgomp's own variable) restores passive waits.
//
// libgomp counts its spin in pause instructions, whose length differs by CPU
// (20 ns on the EPYC, several times more or less elsewhere), so a few are
// timed here and GOMP_SPINCOUNT is set to the count that lasts kSpinNs.
//
// The variable must be in the environment before libgomp's constructor runs,
// which is before this addon's: the addon is linked with -z initfirst
// (binding.gyp), so that glibc runs this constructor before those of the
// libraries it loads with it. Only libc is used here for that reason.
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace convkit {
namespace {

constexpr double kSpinNs = 200'000;
// libgomp's own default: the longest spin chosen here.
constexpr double kMaxSpinCount = 300'000;
constexpr double kMinSpinCount = 1'000;

bool spinSetHere = false;

/** What libgomp's waits execute per spin (its cpu_relax). */
inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

double nowNs() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

/** Spins lasting about kSpinNs on this CPU (a preemption while timing can only shorten the spin). */
long spinCountForBudget() {
  constexpr int kProbe = 2000;
  const double start = nowNs();
  for (int i = 0; i < kProbe; i++) relax();
  const double perSpin = (nowNs() - start) / kProbe;
  double count = perSpin > 0 ? kSpinNs / perSpin : kMaxSpinCount;
  if (count > kMaxSpinCount) count = kMaxSpinCount;
  if (count < kMinSpinCount) count = kMinSpinCount;
  return static_cast<long>(count);
}

__attribute__((constructor)) void preferShortSpins() {
  // The user's own choice (either variable) stands.
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  char count[32];
  std::snprintf(count, sizeof count, "%ld", spinCountForBudget());
  spinSetHere = setenv("GOMP_SPINCOUNT", count, 0) == 0;
}

}  // namespace

void restoreOmpEnvironment() {
  // libgomp has read it by now; processes the user starts later inherit their own environment.
  if (spinSetHere) unsetenv("GOMP_SPINCOUNT");
  spinSetHere = false;
}

}  // namespace convkit
