// Entry points of matmul.cu.
#include <algorithm>
#include <string>

#include "bindings.h"
#include "matmul.h"

namespace convkit::gpu {
namespace {

[[noreturn]] void fail(const Napi::CallbackInfo &info, const std::string &message) {
  throw Napi::RangeError::New(info.Env(), "convkit cuda: " + message);
}

int activationArg(const Napi::CallbackInfo &info, size_t index) {
  const double code = number(info, index, "activation");
  if (code != static_cast<int>(code) || code < kGemmLinear || code > kGemmLeakyRelu) {
    fail(info, "activation must be 0..5 (linear, relu, relu6, elu, sigmoid, leakyrelu), received " +
                   std::to_string(code));
  }
  return static_cast<int>(code);
}

GemmPlan planArgs(const Napi::CallbackInfo &info, size_t index) {
  GemmPlan plan;
  if (info.Length() > index && !info[index].IsUndefined()) plan.tile = static_cast<int>(number(info, index, "tile"));
  if (info.Length() > index + 1 && !info[index + 1].IsUndefined()) {
    plan.splits = static_cast<int>(number(info, index + 1, "splits"));
  }
  if (plan.tile < -1 || plan.tile > 2) {
    fail(info, "tile must be -1 (auto), 0, 1 or 2, received " + std::to_string(plan.tile));
  }
  if (plan.splits < 0) fail(info, "splits must be >= 0 (0: auto), received " + std::to_string(plan.splits));
  return plan;
}

/**
 * batchMatMul(a, b, out, dims, bias, biasStride, activation, alpha, tile?, splits?):
 * dims = [batch, batchA, batchB, m, n, k, transposeA, transposeB].
 */
Napi::Value BatchMatMul(const Napi::CallbackInfo &info) {
  const auto dims = ints(info, 3, "dims", 8);
  const int64_t batch = dims[0], batchA = dims[1], batchB = dims[2], m = dims[3], n = dims[4], k = dims[5];
  for (int i = 0; i < 6; i++) {
    if (dims[i] < 0) {
      fail(info, "batchMatMul: dims must be >= 0, received [" + std::to_string(batch) + ", " + std::to_string(batchA) +
                     ", " + std::to_string(batchB) + ", " + std::to_string(m) + ", " + std::to_string(n) + ", " +
                     std::to_string(k) + "]");
    }
  }
  if (batch > 0 && (batchA < 1 || batchB < 1 || batch != std::max(batchA, batchB) || batch % batchA != 0 ||
                    batch % batchB != 0)) {
    fail(info, "batchMatMul: batch " + std::to_string(batch) + " must be the larger of batchA " +
                   std::to_string(batchA) + " and batchB " + std::to_string(batchB) + " and a multiple of both");
  }
  const int biasStride = static_cast<int>(number(info, 5, "biasStride"));
  if (biasStride != 0 && biasStride != 1) {
    fail(info, "batchMatMul: biasStride must be 0 or 1, received " + std::to_string(biasStride));
  }
  const int activation = activationArg(info, 6);
  const float alpha = static_cast<float>(number(info, 7, "alpha"));
  const GemmPlan plan = planArgs(info, 8);
  const float *a = devicePointer<float>(info, 0, "a", batchA * m * k);
  const float *b = devicePointer<float>(info, 1, "b", batchB * k * n);
  float *out = devicePointer<float>(info, 2, "out", batch * m * n);
  const float *bias = optionalDevicePointer<float>(info, 4, "bias", biasStride == 1 ? n : 1);
  launchBatchMatMul(a, b, out, batch, batchA, batchB, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                    dims[6] != 0, dims[7] != 0, bias, biasStride, activation, alpha, plan);
  return info.Env().Undefined();
}

}  // namespace

void initMatmulBindings(Napi::Env env, Napi::Object exports) { define(env, exports, "batchMatMul", BatchMatMul); }

}  // namespace convkit::gpu
