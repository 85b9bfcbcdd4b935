// The arguments every GEMM entry point shares (matmul_bindings.cc defines them).
#pragma once

#include "bindings.h"
#include "matmul.h"

namespace convkit::gpu {

/** The epilogue and plan of a GEMM call: arguments biasStride, activation, alpha, tile?, splits? from `index` on. */
struct GemmArgs {
  int biasStride;
  int activation;
  float alpha;
  GemmPlan plan;
};

/** Reads and checks GemmArgs; errors name `function`. */
GemmArgs gemmArgs(const Napi::CallbackInfo &info, size_t index, const char *function);
/** Arguments tile?, splits? at `index` and `index + 1`, checked. */
GemmPlan gemmPlanArgs(const Napi::CallbackInfo &info, size_t index);

}  // namespace convkit::gpu
