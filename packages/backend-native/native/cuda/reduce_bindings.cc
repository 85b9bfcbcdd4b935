#include "bindings.h"

namespace convkit::gpu {

void initReduceBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
