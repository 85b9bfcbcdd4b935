#include "bindings.h"

namespace convkit::gpu {

void initNormBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
