#include "bindings.h"

namespace convkit::gpu {

void initElementwiseBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
