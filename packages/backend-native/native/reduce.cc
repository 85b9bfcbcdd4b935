// Sum over any axes in one pass in memory order (tfjs' cpu kernel first
// transposes the reduced axes innermost: for a bias gradient, a strided copy
// of the whole activation). The JavaScript side merges neighbouring axes of
// the same kind into runs; partial sums are double, stored once as float.
#include "common.h"

namespace convkit {
namespace {

struct Run {
  int64_t size;
  bool reduced;
  int64_t inStride, outStride;
};

void accumulate(const float *x, const std::vector<Run> &runs, size_t level, int64_t in, int64_t out, double *acc) {
  const Run &run = runs[level];
  if (level + 1 == runs.size()) {
    if (run.reduced) {
      double total = 0;
      for (int64_t i = 0; i < run.size; i++) total += x[in + i];
      acc[out] += total;
    } else {
      for (int64_t i = 0; i < run.size; i++) acc[out + i] += x[in + i];
    }
    return;
  }
  for (int64_t i = 0; i < run.size; i++)
    accumulate(x, runs, level + 1, in + i * run.inStride, out + i * run.outStride, acc);
}

/** sum(x, out, runs): runs = [size₀, reduced₀, size₁, reduced₁, …], outermost first, no size-1 runs. */
Napi::Value Sum(const Napi::CallbackInfo &info) {
  auto runsArray = info[2].As<Napi::Int32Array>();
  const size_t count = runsArray.ElementLength() / 2;
  auto flat = ints(info, 2, "runs", count * 2);
  std::vector<Run> runs(count);
  int64_t inSize = 1, outSize = 1;
  for (size_t i = count; i-- > 0;) {
    runs[i] = {flat[2 * i], flat[2 * i + 1] != 0, inSize, flat[2 * i + 1] != 0 ? 0 : outSize};
    inSize *= runs[i].size;
    if (!runs[i].reduced) outSize *= runs[i].size;
  }
  const float *x = floats(info, 0, "x", inSize);
  float *out = floats(info, 1, "out", outSize);
  std::vector<double> acc(outSize, 0.0);
  if (count == 0) {
    acc[0] = x[0];
  } else if (runs[0].reduced && count > 1 && inSize > kParallelGrain) {
    // The outer axis is reduced (a bias gradient): each thread sums a slice of it, then the partial sums add up.
    const int64_t team = threads();
    std::vector<std::vector<double>> partial(team, std::vector<double>(outSize, 0.0));
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < team; t++) {
      const int64_t begin = runs[0].size * t / team, end = runs[0].size * (t + 1) / team;
      for (int64_t i = begin; i < end; i++) accumulate(x, runs, 1, i * runs[0].inStride, 0, partial[t].data());
    }
    for (auto &p : partial)
      for (int64_t j = 0; j < outSize; j++) acc[j] += p[j];
  } else {
    accumulate(x, runs, 0, 0, 0, acc.data());
  }
  for (int64_t j = 0; j < outSize; j++) out[j] = static_cast<float>(acc[j]);
  return info.Env().Undefined();
}

}  // namespace

void initReduce(Napi::Env env, Napi::Object exports) { exports.Set("sum", Napi::Function::New(env, Sum)); }

}  // namespace convkit
