// Passive OpenMP waits unless the user chose otherwise.
//
// libgomp (oneDNN's thread runtime in Debian's build) reads its wait policy
// once, from the environment, when it is loaded. By default a waiting thread
// spins for ~300,000 pauses (milliseconds) before it sleeps, at every barrier
// and between the addon's calls. On two cores that keeps both busy, and as
// soon as any other thread wants a core (another process, V8's GC) the
// scheduler runs the spinning thread instead of the one it is waiting for:
// AlexNet's 14 ms forward took 80 to 640 ms (issue 17, item 12; the per-thread
// counters showed the main thread spinning at barriers while the OpenMP worker
// waited for a core). A passive thread sleeps at once and is woken within
// microseconds, so the team degrades with the load instead of collapsing.
//
// The policy must be in the environment before libgomp's constructor runs,
// which is before this addon's: the addon is linked with -z initfirst
// (binding.gyp), so that glibc runs this constructor before those of the
// libraries it loads with it. Only libc is used here for that reason.
#include <cstdlib>

namespace convkit {
namespace {

bool policySetHere = false;

__attribute__((constructor)) void preferPassiveWaits() {
  // The user's own choice (either variable) stands.
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) return;
  policySetHere = setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
}

}  // namespace

void restoreOmpEnvironment() {
  // libgomp has read it by now; processes the user starts later inherit their own environment.
  if (policySetHere) unsetenv("OMP_WAIT_POLICY");
  policySetHere = false;
}

}  // namespace convkit
