// Batched matrix products through oneDNN's matmul primitive, with tfjs'
// transposes and a broadcast batch expressed as strides (nothing is copied),
// and _FusedMatMul's bias + activation fused into the same call.
//
// Not dnnl_sgemm: in oneDNN 2.6.3 its JIT kernels keep data below the stack
// pointer past the red zone, so a signal delivered while they run (a
// profiler's SIGPROF, Ctrl-C) overwrites it and corrupts the heap. The
// primitive's brgemm kernels do not; implementations built on that GEMM are
// skipped (see acceptable() in common.h).
#include <omp.h>

#include <algorithm>

#include "common.h"
#include "elementwise.h"

namespace convkit {
namespace {

using dnnl::memory;
using dt = memory::data_type;

struct Product {
  bool supported = false;
  dnnl::matmul prim;
  memory::desc a, b, c, bias;
};

PrimitiveCache<Product> products;

/**
 * Multiply-adds up to which a product runs on one thread: LeNet's dense layers
 * (64×400·400×120 and smaller) take 3 to 33 µs there, and 25 to 37 µs with
 * two, most of it waking the second thread.
 */
constexpr int64_t kSerialMacs = int64_t{4} << 20;

/** Rows of A up to which a product is a few matrix-vector products, bound by reading B once. */
constexpr int64_t kSmallM = 8;

/**
 * C = A·B for a few rows of A (a dense layer at batch 1: AlexNet's fc6 reads
 * 151 MB of weights for 38 M multiply-adds). The work is reading B once, as
 * fast as memory allows: each thread streams a contiguous slice of B's rows
 * into its own partial sums (B stored [K, N]), or computes whole dot
 * products (B stored transposed, [N, K]). oneDNN's brgemm streams B at about
 * half that rate when M is this small.
 */
__attribute__((target_clones("avx512f", "avx2", "default"))) void smallProduct(
    const float *a, const float *b, float *c, int64_t m, int64_t n, int64_t k, bool transA, bool transB) {
  auto aAt = [&](int64_t row, int64_t depth) { return transA ? a[depth * m + row] : a[row * k + depth]; };
  if (transB) {
#pragma omp parallel for if (n * k > kParallelGrain) schedule(static)
    for (int64_t col = 0; col < n; col++) {
      const float *column = b + col * k;
      for (int64_t row = 0; row < m; row++) {
        float sum = 0.f;
        if (transA) {
          for (int64_t d = 0; d < k; d++) sum += a[d * m + row] * column[d];
        } else {
          const float *ar = a + row * k;
#pragma omp simd reduction(+ : sum)
          for (int64_t d = 0; d < k; d++) sum += ar[d] * column[d];
        }
        c[row * n + col] = sum;
      }
    }
    return;
  }
  const int team = n * k > kParallelGrain ? threads() : 1;
  std::vector<float> partial(static_cast<size_t>(team > 1 ? team - 1 : 0) * m * n);
#pragma omp parallel num_threads(team)
  {
    const int t = team > 1 ? omp_get_thread_num() : 0;
    float *acc = t == 0 ? c : partial.data() + (t - 1) * m * n;
    std::fill(acc, acc + m * n, 0.f);
    const int64_t begin = k * t / team, end = k * (t + 1) / team;
    int64_t d = begin;
    // Four rows of B per pass: four weight streams in flight and one update of the sums, not four
    // (35 GB/s instead of 24 on fc6's 151 MB here).
    for (; d + 4 <= end; d += 4) {
      const float *r0 = b + d * n, *r1 = r0 + n, *r2 = r1 + n, *r3 = r2 + n;
      for (int64_t r = 0; r < m; r++) {
        const float x0 = aAt(r, d), x1 = aAt(r, d + 1), x2 = aAt(r, d + 2), x3 = aAt(r, d + 3);
        float *out = acc + r * n;
#pragma omp simd
        for (int64_t col = 0; col < n; col++) out[col] += x0 * r0[col] + x1 * r1[col] + x2 * r2[col] + x3 * r3[col];
      }
    }
    for (; d < end; d++) {
      const float *row = b + d * n;
      for (int64_t r = 0; r < m; r++) {
        const float x = aAt(r, d);
        float *out = acc + r * n;
#pragma omp simd
        for (int64_t col = 0; col < n; col++) out[col] += x * row[col];
      }
    }
  }
  for (int t = 1; t < team; t++) {
    const float *acc = partial.data() + (t - 1) * m * n;
    for (int64_t i = 0; i < m * n; i++) c[i] += acc[i];
  }
}

/** [batchA, batchB, M, N, K, transposeA, transposeB] */
std::unique_ptr<Product> makeProduct(const std::vector<int64_t> &d, bool bias, int activation, float alpha) {
  auto entry = std::make_unique<Product>();
  const int64_t batchA = d[0], batchB = d[1], m = d[2], n = d[3], k = d[4];
  const bool transA = d[5] != 0, transB = d[6] != 0;
  const int64_t batch = std::max(batchA, batchB);
  entry->a = memory::desc({batchA, m, k}, dt::f32, transA ? memory::dims{m * k, 1, m} : memory::dims{m * k, k, 1});
  entry->b = memory::desc({batchB, k, n}, dt::f32, transB ? memory::dims{k * n, 1, k} : memory::dims{k * n, n, 1});
  entry->c = memory::desc({batch, m, n}, dt::f32, memory::dims{m * n, n, 1});
  entry->bias = memory::desc({1, 1, n}, dt::f32, memory::dims{n, n, 1});
  try {
    auto desc = bias ? dnnl::matmul::desc(entry->a, entry->b, entry->bias, entry->c)
                     : dnnl::matmul::desc(entry->a, entry->b, entry->c);
    auto attr = activationAttr(activation, alpha);
    // The implementation iterator points at `desc`, which lives until the walk in acceptable() is done.
    dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
    if (!acceptable(pd)) return entry;
    entry->prim = dnnl::matmul(pd);
    entry->supported = true;
  } catch (const dnnl::error &) {
  }
  return entry;
}

/**
 * batchMatMul(a, b, c, dims, bias | null, activation, alpha), dims =
 * [batchA, batchB, M, N, K, transposeA, transposeB]. One of the batches may
 * be 1 (broadcast); c has max(batchA, batchB) · M · N elements. false: the
 * caller runs the cpu kernel.
 */
Napi::Value BatchMatMul(const Napi::CallbackInfo &info) {
  auto dims = ints(info, 3, "dims", 7);
  const int64_t batchA = dims[0], batchB = dims[1], m = dims[2], n = dims[3], k = dims[4];
  if (batchA != batchB && batchA != 1 && batchB != 1) return Napi::Boolean::New(info.Env(), false);
  const int64_t batch = std::max(batchA, batchB);
  float *a = floats(info, 0, "a", batchA * m * k);
  float *b = floats(info, 1, "b", batchB * k * n);
  float *c = floats(info, 2, "c", batch * m * n);
  float *bias = optionalFloats(info, 4, "bias", n);
  const int activation = static_cast<int>(number(info, 5, "activation"));
  const float alpha = static_cast<float>(number(info, 6, "alpha"));
  if (batch * m * n == 0) return Napi::Boolean::New(info.Env(), true);
  if (k == 0) {
    // oneDNN wants K ≥ 1: an empty sum is 0 (then the bias and activation).
    for (int64_t i = 0; i < batch * m * n; i++) c[i] = bias ? bias[i % n] : 0.f;
    applyActivation(c, batch * m * n, activation, alpha);
    return Napi::Boolean::New(info.Env(), true);
  }
  if (m <= kSmallM) {
    for (int64_t i = 0; i < batch; i++) {
      float *out = c + i * m * n;
      smallProduct(a + (batchA == 1 ? 0 : i) * m * k, b + (batchB == 1 ? 0 : i) * k * n, out, m, n, k, dims[5] != 0,
                   dims[6] != 0);
      if (bias)
        for (int64_t r = 0; r < m; r++)
          for (int64_t col = 0; col < n; col++) out[r * n + col] += bias[col];
    }
    applyActivation(c, batch * m * n, activation, alpha);
    return Napi::Boolean::New(info.Env(), true);
  }
  // The primitive is made and run under the same scope: it plans for the team it is made with.
  SerialScope serial(batch * m * n * k <= kSerialMacs);
  auto key = dims;
  key.push_back(bias != nullptr);
  key.push_back(activation);
  key.push_back(static_cast<int64_t>(alpha * 1e6));
  Product &entry = products.get(cacheKey("matmul", key), [&] { return makeProduct(dims, bias, activation, alpha); });
  if (!entry.supported) return Napi::Boolean::New(info.Env(), false);
  memory am(entry.a, cpuEngine(), a), bm(entry.b, cpuEngine(), b), cm(entry.c, cpuEngine(), c);
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
  if (bias) args.emplace(DNNL_ARG_BIAS, memory(entry.bias, cpuEngine(), bias));
  entry.prim.execute(cpuStream(), args);
  cpuStream().wait();
  return Napi::Boolean::New(info.Env(), true);
}

}  // namespace

void initMatmul(Napi::Env env, Napi::Object exports) {
  onThreadsChanged([] { products.clear(); });
  exports.Set("batchMatMul", Napi::Function::New(env, BatchMatMul));
}

}  // namespace convkit
