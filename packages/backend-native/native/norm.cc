// Local response normalization across channels (AlexNet's LRN) and its
// gradient, with tfjs' formulas:
//   norm_c = bias + alpha · Σ_{j ∈ window(c)} x_j²,  y_c = x_c · norm_c^(−beta)
//   dx_k = dy_k · norm_k^(−beta) − 2·alpha·beta · x_k · Σ_{c ∈ window(k)} dy_c · y_c / norm_c
// window(c) = [c − r, c + r] clipped to the channels. tfjs' cpu kernel walks
// the window for every output (O(C·r) per pixel; its gradient O(C·r) too);
// running sums make both O(C) per pixel, accumulated in double.
#include <cmath>

#include "common.h"

namespace convkit {
namespace {

struct LrnParams {
  int64_t pixels, channels, radius;
  double bias, alpha, beta;
};

LrnParams readLrn(const Napi::CallbackInfo &info, size_t index) {
  auto shape = ints(info, index, "shape", 3);
  return {shape[0], shape[1], shape[2], number(info, index + 1, "bias"), number(info, index + 2, "alpha"),
          number(info, index + 3, "beta")};
}

/** Windowed sums of `values` (prefix-sum form): out[c] = Σ values[j], j from max(0, c−r) to min(C−1, c+r). */
void windowSums(const double *values, int64_t channels, int64_t radius, double *prefix, double *out) {
  prefix[0] = 0;
  for (int64_t c = 0; c < channels; c++) prefix[c + 1] = prefix[c] + values[c];
  for (int64_t c = 0; c < channels; c++) {
    const int64_t lo = std::max<int64_t>(0, c - radius), hi = std::min(channels - 1, c + radius);
    out[c] = prefix[hi + 1] - prefix[lo];
  }
}

/** lrn(x, y, [pixels, channels, radius], bias, alpha, beta) */
Napi::Value Lrn(const Napi::CallbackInfo &info) {
  LrnParams p = readLrn(info, 2);
  const float *x = floats(info, 0, "x", p.pixels * p.channels);
  float *y = floats(info, 1, "y", p.pixels * p.channels);
#pragma omp parallel if (p.pixels * p.channels > kParallelGrain)
  {
    std::vector<double> squares(p.channels), prefix(p.channels + 1), sums(p.channels);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < p.pixels; i++) {
      const float *xi = x + i * p.channels;
      float *yi = y + i * p.channels;
      for (int64_t c = 0; c < p.channels; c++) squares[c] = static_cast<double>(xi[c]) * xi[c];
      windowSums(squares.data(), p.channels, p.radius, prefix.data(), sums.data());
      for (int64_t c = 0; c < p.channels; c++)
        yi[c] = static_cast<float>(xi[c] * std::pow(p.bias + p.alpha * sums[c], -p.beta));
    }
  }
  return info.Env().Undefined();
}

/** lrnGrad(x, y, dy, dx, [pixels, channels, radius], bias, alpha, beta) */
Napi::Value LrnGrad(const Napi::CallbackInfo &info) {
  LrnParams p = readLrn(info, 4);
  const int64_t size = p.pixels * p.channels;
  const float *x = floats(info, 0, "x", size);
  const float *y = floats(info, 1, "y", size);
  const float *dy = floats(info, 2, "dy", size);
  float *dx = floats(info, 3, "dx", size);
#pragma omp parallel if (size > kParallelGrain)
  {
    std::vector<double> work(p.channels), prefix(p.channels + 1), norm(p.channels), sums(p.channels);
#pragma omp for schedule(static)
    for (int64_t i = 0; i < p.pixels; i++) {
      const int64_t o = i * p.channels;
      for (int64_t c = 0; c < p.channels; c++) work[c] = static_cast<double>(x[o + c]) * x[o + c];
      windowSums(work.data(), p.channels, p.radius, prefix.data(), norm.data());
      for (int64_t c = 0; c < p.channels; c++) {
        norm[c] = p.alpha * norm[c] + p.bias;
        work[c] = static_cast<double>(dy[o + c]) * y[o + c] / norm[c];
      }
      windowSums(work.data(), p.channels, p.radius, prefix.data(), sums.data());
      for (int64_t k = 0; k < p.channels; k++) {
        dx[o + k] = static_cast<float>(dy[o + k] * std::pow(norm[k], -p.beta) -
                                       2 * p.alpha * p.beta * x[o + k] * sums[k]);
      }
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void initNorm(Napi::Env env, Napi::Object exports) {
  exports.Set("lrn", Napi::Function::New(env, Lrn));
  exports.Set("lrnGrad", Napi::Function::New(env, LrnGrad));
}

}  // namespace convkit
