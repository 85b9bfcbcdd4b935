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

/**
 * Adds rows [begin, end) of a [rows, width] array into acc[width] (a bias
 * gradient: the sum over N·H·W of an NHWC activation). A narrow row (LeNet's
 * 6 channels) is summed as a span of whole rows that is a multiple of 8, in
 * double lanes the compiler vectorizes, then folded to `width` sums: 169 → 40 µs
 * on 64×28×28×6 on one thread, where a loop over 6 elements a row stays scalar.
 */
__attribute__((target_clones("avx512f", "avx2", "default"))) void sumRows(const float *x, int64_t begin,
                                                                           int64_t end, int64_t width, double *acc) {
  int64_t rowsPerSpan = 1;
  while ((rowsPerSpan * width) % 8 != 0 && rowsPerSpan * width < 256) rowsPerSpan++;
  if ((rowsPerSpan * width) % 8 != 0) rowsPerSpan = 1;
  // At least 64 lanes: each lane's sum is a chain through memory, so more lanes, more additions in flight.
  while (rowsPerSpan * width < 64) rowsPerSpan *= 2;
  const int64_t span = rowsPerSpan * width;
  std::vector<double> lanes(span, 0.0);
  double *l = lanes.data();
  int64_t row = begin;
  for (; row + rowsPerSpan <= end; row += rowsPerSpan) {
    const float *in = x + row * width;
#pragma omp simd
    for (int64_t j = 0; j < span; j++) l[j] += in[j];
  }
  for (; row < end; row++)
    for (int64_t j = 0; j < width; j++) l[j] += x[row * width + j];
  for (int64_t j = 0; j < span; j++) acc[j % width] += l[j];
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
  const bool rowSum = count == 2 && runs[0].reduced && !runs[1].reduced;
  if (count == 0) {
    acc[0] = x[0];
  } else if (rowSum && inSize <= kParallelGrain) {
    sumRows(x, 0, runs[0].size, runs[1].size, acc.data());
  } else if (runs[0].reduced && count > 1 && inSize > kParallelGrain) {
    // The outer axis is reduced (a bias gradient): each thread sums a slice of it, then the partial sums add up.
    const int64_t team = threads();
    std::vector<std::vector<double>> partial(team, std::vector<double>(outSize, 0.0));
#pragma omp parallel for schedule(static)
    for (int64_t t = 0; t < team; t++) {
      const int64_t begin = runs[0].size * t / team, end = runs[0].size * (t + 1) / team;
      if (rowSum) {
        sumRows(x, begin, end, runs[1].size, partial[t].data());
        continue;
      }
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
