#include "bindings.h"

namespace convkit::gpu {

void initPoolBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
