#include "bindings.h"

namespace convkit::gpu {

void initMatmulBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
