// Entry points of matmul.cu.
#include <algorithm>
#include <string>

#include "gemm_args.h"

namespace convkit::gpu {
namespace {


/**
 * batchMatMul(a, b, out, dims, bias, biasStride, activation, alpha, tile?, splits?):
 * dims = [batch, batchA, batchB, m, n, k, transposeA, transposeB].
 */
Napi::Value BatchMatMul(const Napi::CallbackInfo &info) {
  const auto dims = ints(info, 3, "dims", 8);
  const int64_t batch = dims[0], batchA = dims[1], batchB = dims[2], m = dims[3], n = dims[4], k = dims[5];
  for (int i = 0; i < 6; i++) {
    if (dims[i] < 0) {
      rangeError(info, "batchMatMul: dims must be >= 0, received [" + std::to_string(batch) + ", " + std::to_string(batchA) +
                     ", " + std::to_string(batchB) + ", " + std::to_string(m) + ", " + std::to_string(n) + ", " +
                     std::to_string(k) + "]");
    }
  }
  if (batch > 0 && (batchA < 1 || batchB < 1 || batch != std::max(batchA, batchB) || batch % batchA != 0 ||
                    batch % batchB != 0)) {
    rangeError(info, "batchMatMul: batch " + std::to_string(batch) + " must be the larger of batchA " +
                   std::to_string(batchA) + " and batchB " + std::to_string(batchB) + " and a multiple of both");
  }
  const GemmArgs g = gemmArgs(info, 5, "batchMatMul");
  const float *a = devicePointer<float>(info, 0, "a", batchA * m * k);
  const float *b = devicePointer<float>(info, 1, "b", batchB * k * n);
  float *out = devicePointer<float>(info, 2, "out", batch * m * n);
  const float *bias = optionalDevicePointer<float>(info, 4, "bias", g.biasStride == 1 ? n : 1);
  launchBatchMatMul(a, b, out, batch, batchA, batchB, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                    dims[6] != 0, dims[7] != 0, bias, g.biasStride, g.activation, g.alpha, g.plan);
  return info.Env().Undefined();
}

}  // namespace

GemmPlan gemmPlanArgs(const Napi::CallbackInfo &info, size_t index) {
  GemmPlan plan;
  if (info.Length() > index && !info[index].IsUndefined()) plan.tile = static_cast<int>(number(info, index, "tile"));
  if (info.Length() > index + 1 && !info[index + 1].IsUndefined()) {
    plan.splits = static_cast<int>(number(info, index + 1, "splits"));
  }
  if (plan.tile < -1 || plan.tile > 2) {
    rangeError(info, "tile must be -1 (auto), 0, 1 or 2, received " + std::to_string(plan.tile));
  }
  if (plan.splits < 0) rangeError(info, "splits must be >= 0 (0: auto), received " + std::to_string(plan.splits));
  return plan;
}

GemmArgs gemmArgs(const Napi::CallbackInfo &info, size_t index, const char *function) {
  GemmArgs args{};
  args.biasStride = static_cast<int>(number(info, index, "biasStride"));
  if (args.biasStride != 0 && args.biasStride != 1) {
    rangeError(info, std::string(function) + ": biasStride must be 0 or 1, received " + std::to_string(args.biasStride));
  }
  const double activation = number(info, index + 1, "activation");
  if (activation != static_cast<int>(activation) || activation < kGemmLinear || activation > kGemmLeakyRelu) {
    rangeError(info, std::string(function) +
                         ": activation must be 0..5 (linear, relu, relu6, elu, sigmoid, leakyrelu), received " +
                         std::to_string(activation));
  }
  args.activation = static_cast<int>(activation);
  args.alpha = static_cast<float>(number(info, index + 2, "alpha"));
  args.plan = gemmPlanArgs(info, index + 3);
  return args;
}

void initMatmulBindings(Napi::Env env, Napi::Object exports) { define(env, exports, "batchMatMul", BatchMatMul); }

}  // namespace convkit::gpu
