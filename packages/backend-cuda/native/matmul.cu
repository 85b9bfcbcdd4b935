// Batched matrix products on the SGEMM core (matmul.h).
#define CONVKIT_GEMM_CORE
#include "matmul.h"

namespace convkit::gpu {
namespace matmul {

constexpr unsigned kThreads = 256;

inline bool aligned16(const void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

/**
 * c[z] = op(a[z % batchA]) · op(b[z % batchB]). A is M×K: a[m·K + k], or
 * a[k·M + m] when transposed; B, seen as N×K: b[k·N + n], or b[n·K + k]
 * when transposed.
 */
template <bool TransposeA, bool TransposeB>
struct Problem {
  typedef gemm::Strided<!TransposeA> A;
  typedef gemm::Strided<TransposeB> B;
  const float *a0, *b0;
  float *c0;
  int64_t batchA, batchB;
  int M, N, K;
  bool vecA, vecB, vecC;
  const float *pa, *pb;
  float *c;

  __device__ __forceinline__ void begin(int z) {
    pa = a0 + (z % batchA) * (int64_t{M} * K);
    pb = b0 + (z % batchB) * (int64_t{K} * N);
    c = c0 + z * (int64_t{M} * N);
  }
  __device__ __forceinline__ A a() const { return A{pa, TransposeA ? M : K, M, K, vecA}; }
  __device__ __forceinline__ B b() const { return B{pb, TransposeB ? K : N, N, K, vecB}; }
  __device__ __forceinline__ int64_t rowC(int m) const { return int64_t{m} * N; }
};

template <bool TransposeA, bool TransposeB>
void run(const float *a, const float *b, float *c, int64_t batch, int64_t batchA, int64_t batchB, int m, int n, int k,
         const gemm::Epilogue &e, int tile, int splits) {
  Problem<TransposeA, TransposeB> p{};
  p.a0 = a;
  p.b0 = b;
  p.c0 = c;
  p.batchA = batchA;
  p.batchB = batchB;
  p.M = m;
  p.N = n;
  p.K = k;
  p.vecA = (TransposeA ? m : k) % 4 == 0 && aligned16(a);
  p.vecB = (TransposeB ? k : n) % 4 == 0 && aligned16(b);
  p.vecC = n % 4 == 0 && aligned16(c);
  gemm::launchTile(tile, p, e, m, n, batch, splits, "batchMatMul");
}

__global__ void biasActivation(float *c, int64_t count, int n, const float *bias, int biasStride, int activation,
                               float alpha) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x) {
    float v = c[i];
    if (bias) v += bias[biasStride * static_cast<int>(i % n)];
    c[i] = gemm::activate(v, activation, alpha);
  }
}

}  // namespace matmul

void launchBiasActivation(float *c, int64_t rows, int n, const float *bias, int biasStride, int activation,
                          float alpha) {
  const int64_t count = rows * n;
  if (count == 0 || (!bias && activation == kGemmLinear)) return;
  CK_LAUNCH(matmul::biasActivation, blocksFor(count, matmul::kThreads), matmul::kThreads, c, count, n, bias,
            biasStride, activation, alpha);
  checkLaunch("biasActivation");
}

void launchBatchMatMul(const float *a, const float *b, float *c, int64_t batch, int64_t batchA, int64_t batchB, int m,
                       int n, int k, bool transposeA, bool transposeB, const float *bias, int biasStride,
                       int activation, float alpha, GemmPlan plan) {
  if (batch == 0 || m == 0 || n == 0) return;
  int tile, splits;
  gemm::plan(m, n, k, batch, plan, true, tile, splits);
  const gemm::Epilogue e{bias, biasStride, activation, alpha, splits > 1};
  if (splits > 1) fillZero(c, static_cast<size_t>(batch * m * n) * sizeof(float));
  if (!transposeA && !transposeB) {
    matmul::run<false, false>(a, b, c, batch, batchA, batchB, m, n, k, e, tile, splits);
  } else if (!transposeA && transposeB) {
    matmul::run<false, true>(a, b, c, batch, batchA, batchB, m, n, k, e, tile, splits);
  } else if (transposeA && !transposeB) {
    matmul::run<true, false>(a, b, c, batch, batchA, batchB, m, n, k, e, tile, splits);
  } else {
    matmul::run<true, true>(a, b, c, batch, batchA, batchB, m, n, k, e, tile, splits);
  }
  if (splits > 1) launchBiasActivation(c, batch * m, n, bias, biasStride, activation, alpha);
}

}  // namespace convkit::gpu
