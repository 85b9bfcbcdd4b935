#include "bindings.h"

namespace convkit::gpu {

void initDepthwiseBindings(Napi::Env, Napi::Object) {}

}  // namespace convkit::gpu
