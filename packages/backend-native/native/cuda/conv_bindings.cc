#include "bindings.h"

namespace convkit::gpu {

void initConvBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
