// Convkit's SGEMM (matmul.cu) and the launchers of batched matrix products.
//
// The host part (launcher declarations) is plain C++. With CONVKIT_GEMM_CORE
// defined before the include (matmul.cu and conv.cu do), it also holds the
// device side: one tiled shared-memory SGEMM kernel template whose operands
// come from pluggable "problems" (loaders of A and B tiles and the rows of
// C), so the same core runs plain and transposed matrices and the implicit
// GEMMs of convolutions (conv.cu).
#ifndef CONVKIT_CUDA_MATMUL_H
#define CONVKIT_CUDA_MATMUL_H

#include <cstdint>

namespace convkit::gpu {

/** Activations fused into a GEMM's epilogue, numbered as in src/kernels/kernel.ts' ACTIVATIONS (no prelu). */
enum class GemmActivation : int { kLinear = 0, kRelu = 1, kRelu6 = 2, kElu = 3, kSigmoid = 4, kLeakyRelu = 5 };
constexpr int kGemmLinear = static_cast<int>(GemmActivation::kLinear);
constexpr int kGemmLeakyRelu = static_cast<int>(GemmActivation::kLeakyRelu);

/**
 * How a GEMM is cut up. tile: -1 chooses from the sizes and the device,
 * 0: 128×128 blocks (8×8 per thread), 1: 64×64 (4×4), 2: 128×32 (4×4, for
 * narrow outputs). splits: 0 chooses, n > 0 splits K across n blocks whose
 * partial sums are added atomically (tests force both to cover every path).
 */
struct GemmPlan {
  int tile = -1;
  int splits = 0;
};

/**
 * c[z] = act(op(a[z % batchA]) · op(b[z % batchB]) + bias) for z < batch:
 * op(a) is m×k (stored k×m when transposeA), op(b) k×n (stored n×k when
 * transposeB), c row-major m×n. bias: null, n values (one per column) when
 * biasStride is 1, or one value when it is 0.
 */
void launchBatchMatMul(const float *a, const float *b, float *c, int64_t batch, int64_t batchA, int64_t batchB, int m,
                       int n, int k, bool transposeA, bool transposeB, const float *bias, int biasStride,
                       int activation, float alpha, GemmPlan plan);

/** c (rows×n, row-major) = act(c + bias) in place: the epilogue of a GEMM whose K was split. */
void launchBiasActivation(float *c, int64_t rows, int n, const float *bias, int biasStride, int activation,
                          float alpha);

}  // namespace convkit::gpu

#endif  // CONVKIT_CUDA_MATMUL_H

// The device side, once per translation unit that asks for it (in any order of includes).
#if defined(CONVKIT_GEMM_CORE) && !defined(CONVKIT_GEMM_CORE_INCLUDED)
#define CONVKIT_GEMM_CORE_INCLUDED
#include "device.h"

// Full unrolling, for nvcc (g++ would warn about the unknown pragma in the emulator build).
#ifdef __CUDACC__
#define CONVKIT_GEMM_UNROLL _Pragma("unroll")
#else
#define CONVKIT_GEMM_UNROLL
#endif

namespace convkit::gpu::gemm {

/**
 * A block tile: BM×BN outputs per block of (BM/TM)·(BN/TN) threads, each
 * computing TM×TN of them (groups of 4 rows and 4 columns spread across the
 * tile, which keeps the shared-memory reads conflict-free), K walked BK at a
 * time through double-buffered shared tiles.
 */
template <int BM_, int BN_, int BK_, int TM_, int TN_, int MinBlocks_>
struct Tile {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
  static constexpr int kThreads = (BM / TM) * (BN / TN);
  static constexpr int kMinBlocks = MinBlocks_;  // per multiprocessor: caps the registers (2 → 128 at 256 threads)
};
using Large = Tile<128, 128, 8, 8, 8, 2>;
using Medium = Tile<64, 64, 16, 4, 4, 2>;
using Narrow = Tile<128, 32, 16, 4, 4, 2>;
enum TileKind : int { kLarge = 0, kMedium = 1, kNarrow = 2 };

/** What the epilogue does with a finished sum. */
struct Epilogue {
  const float *bias;  // null: none
  int biasStride;     // 1: bias[n] per column, 0: bias[0] everywhere
  int activation;
  float alpha;        // leakyrelu's slope
  bool accumulate;    // split K: atomicAdd the raw sum into a zeroed output (no bias, no activation)
};

/** tfjs' cpu activations (NaN passes through relu and relu6 as there). */
__device__ __forceinline__ float activate(float v, int activation, float alpha) {
  switch (static_cast<GemmActivation>(activation)) {
    case GemmActivation::kRelu:  // Math.max(0, v): NaN stays NaN, -0 gives 0
      return (v > 0.0f || v != v) ? v : 0.0f;
    case GemmActivation::kRelu6:
      return v > 6.0f ? 6.0f : ((v > 0.0f || v != v) ? v : 0.0f);
    case GemmActivation::kElu:
      return v >= 0.0f ? v : expf(v) - 1.0f;
    case GemmActivation::kSigmoid:
      return 1.0f / (1.0f + expf(-v));
    case GemmActivation::kLeakyRelu:
      return v < 0.0f ? alpha * v : v;
    default:
      return v;
  }
}

__device__ __forceinline__ float4 zero4() {
  float4 v;
  v.x = v.y = v.z = v.w = 0.0f;
  return v;
}

__device__ __forceinline__ float &lane(float4 &v, int j) { return reinterpret_cast<float *>(&v)[j]; }

/**
 * Splits k into (outer, middle, inner) digits of sizes (∞, middleSize,
 * innerSize), kept as k advances by a tile: divisions only on a wrap.
 */
struct Digits {
  int k, inner, middle, outer;
  __device__ __forceinline__ void set(int value, int innerSize, int middleSize) {
    k = value;
    inner = value % innerSize;
    const int rest = value / innerSize;
    middle = rest % middleSize;
    outer = rest / middleSize;
  }
  __device__ __forceinline__ void advance(int step, int innerSize, int middleSize) {
    k += step;
    inner += step;
    if (inner >= innerSize) {
      const int carry = inner / innerSize;
      inner -= carry * innerSize;
      middle += carry;
      if (middle >= middleSize) {
        const int carry2 = middle / middleSize;
        middle -= carry2 * middleSize;
        outer += carry2;
      }
    }
  }
  /** The next k (one element further). */
  __device__ __forceinline__ void increment(int innerSize, int middleSize) {
    k++;
    if (++inner == innerSize) {
      inner = 0;
      if (++middle == middleSize) {
        middle = 0;
        outer++;
      }
    }
  }
};

/**
 * A loader reads the tiles of one operand, seen as R rows by K (A with R = M,
 * B seen as N×K). A thread loads the same rows at the same offsets in every
 * tile: it keeps a Row for them (one row, or 4 consecutive rows when the
 * operand is contiguous along r) and a Col for its k (4 consecutive ones
 * when contiguous along k), advanced by a tile's depth after each load.
 *
 * Strided: element (r, k) at p[r·ld + k] (kAlongK) or p[k·ld + r].
 */
template <bool AlongK>
struct Strided {
  static constexpr bool kAlongK = AlongK;
  const float *p;
  int64_t ld;
  int rows, K;
  bool vec;  // float4 loads: ld % 4 == 0 and p 16-byte aligned

  struct Row {
    const float *p;
    int count;  // valid rows: 0 or 1 along k; 0..4 along r
  };
  struct Col {
    int k;
  };
  __device__ __forceinline__ Row row(int r) const {
    Row row;
    row.p = p + (AlongK ? r * ld : r);
    row.count = ckMax(0, ckMin(AlongK ? 1 : 4, rows - r));
    return row;
  }
  __device__ __forceinline__ Col col(int k) const { return Col{k}; }
  __device__ __forceinline__ void advance(Col &col, int step) const { col.k += step; }
  __device__ __forceinline__ float4 load(const Row &row, const Col &col) const {
    const int k = col.k;
    float4 v = zero4();
    if (AlongK) {
      if (row.count == 0) return v;
      if (vec && k + 3 < K) return *reinterpret_cast<const float4 *>(row.p + k);
      CONVKIT_GEMM_UNROLL
      for (int j = 0; j < 4; j++)
        if (k + j < K) lane(v, j) = row.p[k + j];
    } else {
      if (k >= K) return v;
      const float *q = row.p + k * ld;
      if (vec && row.count == 4) return *reinterpret_cast<const float4 *>(q);
      CONVKIT_GEMM_UNROLL
      for (int j = 0; j < 4; j++)
        if (j < row.count) lane(v, j) = q[j];
    }
    return v;
  }
};

constexpr int kGroupM = 8;

/**
 * The output tile of block `id`: the blocks that run together cover kGroupM
 * tile rows × every tile column, so each A tile is read from DRAM once and
 * used by every column while in L2, and B (a filter, a weight matrix) stays
 * in L2 across the groups. Rows faster than columns inside a group.
 */
__device__ __forceinline__ void tileOf(int id, int gridM, int gridN, int &tileM, int &tileN) {
  const int perGroup = kGroupM * gridN;
  const int group = id / perGroup;
  const int first = group * kGroupM;
  const int rows = ckMin(gridM - first, kGroupM);
  const int inGroup = id - group * perGroup;
  tileM = first + inGroup % rows;
  tileN = inGroup / rows;
}

/**
 * The kernel. P (a problem) provides, for the batch item z:
 *   void begin(int z): selects the item and sets M, N, K;
 *   A, B: loaders (Strided's interface) made by a(), b(); rowC(m): C's row m offset;
 *   float *c; bool vecC: C's rows can take float4 stores.
 * blockIdx.z = (z − zBase)·splits + split; blockIdx.x numbers the gridM ×
 * gridN output tiles in groups of kGroupM tile rows, columns outer (see tileOf).
 */
template <class T, class P>
__global__ void __launch_bounds__(T::kThreads, T::kMinBlocks)
    kernel(P p, Epilogue e, int splits, int zBase, int gridM, int gridN) {
  constexpr int BM = T::BM, BN = T::BN, BK = T::BK, TM = T::TM, TN = T::TN, NT = T::kThreads;
  constexpr int SA = BM + 4, SB = BN + 4;  // padded shared rows: conflict-free transposing stores
  __shared__ float4 sharedA[2][BK][SA / 4];
  __shared__ float4 sharedB[2][BK][SB / 4];
  typedef typename P::A LoaderA;
  typedef typename P::B LoaderB;

  const int tid = threadIdx.x;
  const int split = blockIdx.z % splits;
  p.begin(zBase + static_cast<int>(blockIdx.z / splits));
  int tileM, tileN;
  tileOf(static_cast<int>(blockIdx.x), gridM, gridN, tileM, tileN);
  const int m0 = tileM * BM, n0 = tileN * BN;
  if (m0 >= p.M || n0 >= p.N) return;  // the whole block: no barrier is skipped
  const int tiles = (p.K + BK - 1) / BK;
  const int perSplit = (tiles + splits - 1) / splits;
  const int tBegin = split * perSplit;
  const int tEnd = ckMin(tiles, tBegin + perSplit);
  if (e.accumulate && tBegin >= tEnd) return;

  const LoaderA la = p.a();
  const LoaderB lb = p.b();

  // Each thread loads the same rows (of A: m, of B: n) at the same offsets in every K tile.
  constexpr int VA = BM * BK / 4, VB = BN * BK / 4;  // float4s per tile
  constexpr int PA = (VA + NT - 1) / NT, PB = (VB + NT - 1) / NT;
  typename LoaderA::Row rowA[PA];
  typename LoaderB::Row rowB[PB];
  typename LoaderA::Col colA[PA];
  typename LoaderB::Col colB[PB];
  int rA[PA], kA[PA], rB[PB], kB[PB];
  CONVKIT_GEMM_UNROLL
  for (int s = 0; s < PA; s++) {
    const int v = ckMin(tid + s * NT, VA - 1);
    rA[s] = LoaderA::kAlongK ? v / (BK / 4) : (v % (BM / 4)) * 4;
    kA[s] = LoaderA::kAlongK ? (v % (BK / 4)) * 4 : v / (BM / 4);
    rowA[s] = la.row(m0 + rA[s]);
    colA[s] = la.col(tBegin * BK + kA[s]);
  }
  CONVKIT_GEMM_UNROLL
  for (int s = 0; s < PB; s++) {
    const int v = ckMin(tid + s * NT, VB - 1);
    rB[s] = LoaderB::kAlongK ? v / (BK / 4) : (v % (BN / 4)) * 4;
    kB[s] = LoaderB::kAlongK ? (v % (BK / 4)) * 4 : v / (BN / 4);
    rowB[s] = lb.row(n0 + rB[s]);
    colB[s] = lb.col(tBegin * BK + kB[s]);
  }
  float4 nextA[PA], nextB[PB];
  CONVKIT_GEMM_UNROLL
  for (int s = 0; s < PA; s++) nextA[s] = zero4();
  CONVKIT_GEMM_UNROLL
  for (int s = 0; s < PB; s++) nextB[s] = zero4();
  auto fetch = [&]() {  // the next tile: tBegin, tBegin + 1, ...
    CONVKIT_GEMM_UNROLL
    for (int s = 0; s < PA; s++) {
      if (VA % NT == 0 || tid + s * NT < VA) {
        nextA[s] = la.load(rowA[s], colA[s]);
        la.advance(colA[s], BK);
      }
    }
    CONVKIT_GEMM_UNROLL
    for (int s = 0; s < PB; s++) {
      if (VB % NT == 0 || tid + s * NT < VB) {
        nextB[s] = lb.load(rowB[s], colB[s]);
        lb.advance(colB[s], BK);
      }
    }
  };
  auto stash = [&](int buffer) {
    CONVKIT_GEMM_UNROLL
    for (int s = 0; s < PA; s++) {
      if (VA % NT != 0 && tid + s * NT >= VA) continue;
      if (LoaderA::kAlongK) {
        float *column = reinterpret_cast<float *>(&sharedA[buffer][kA[s]][0]) + rA[s];
        CONVKIT_GEMM_UNROLL
        for (int j = 0; j < 4; j++) column[j * SA] = lane(nextA[s], j);
      } else {
        sharedA[buffer][kA[s]][rA[s] / 4] = nextA[s];
      }
    }
    CONVKIT_GEMM_UNROLL
    for (int s = 0; s < PB; s++) {
      if (VB % NT != 0 && tid + s * NT >= VB) continue;
      if (LoaderB::kAlongK) {
        float *column = reinterpret_cast<float *>(&sharedB[buffer][kB[s]][0]) + rB[s];
        CONVKIT_GEMM_UNROLL
        for (int j = 0; j < 4; j++) column[j * SB] = lane(nextB[s], j);
      } else {
        sharedB[buffer][kB[s]][rB[s] / 4] = nextB[s];
      }
    }
  };

  // Thread (tx, ty) owns rows g·(BM/(TM/4)) + 4·ty + i and columns h·(BN/(TN/4)) + 4·tx + j.
  constexpr int GM = TM / 4, GN = TN / 4, RS = BM / GM, CS = BN / GN;
  const int tx = tid % (BN / TN), ty = tid / (BN / TN);
  float acc[TM][TN];
  CONVKIT_GEMM_UNROLL
  for (int i = 0; i < TM; i++) {
    CONVKIT_GEMM_UNROLL
    for (int j = 0; j < TN; j++) acc[i][j] = 0.0f;
  }

  if (tBegin < tEnd) {
    fetch();
    stash(0);
    __syncthreads();
    int buffer = 0;
    for (int t = tBegin; t < tEnd; t++) {
      const bool more = t + 1 < tEnd;
      if (more) fetch();  // tile t + 1: global loads in flight while tile t is multiplied
      CONVKIT_GEMM_UNROLL
      for (int kk = 0; kk < BK; kk++) {
        float a[TM], b[TN];
        CONVKIT_GEMM_UNROLL
        for (int g = 0; g < GM; g++) {
          const float4 v = sharedA[buffer][kk][(g * RS + ty * 4) / 4];
          a[g * 4] = v.x;
          a[g * 4 + 1] = v.y;
          a[g * 4 + 2] = v.z;
          a[g * 4 + 3] = v.w;
        }
        CONVKIT_GEMM_UNROLL
        for (int h = 0; h < GN; h++) {
          const float4 v = sharedB[buffer][kk][(h * CS + tx * 4) / 4];
          b[h * 4] = v.x;
          b[h * 4 + 1] = v.y;
          b[h * 4 + 2] = v.z;
          b[h * 4 + 3] = v.w;
        }
        CONVKIT_GEMM_UNROLL
        for (int i = 0; i < TM; i++) {
          CONVKIT_GEMM_UNROLL
          for (int j = 0; j < TN; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
      }
      if (more) stash(buffer ^ 1);  // the other buffer: everyone finished reading it before the last barrier
      __syncthreads();
      buffer ^= 1;
    }
  }

  CONVKIT_GEMM_UNROLL
  for (int g = 0; g < GM; g++) {
    CONVKIT_GEMM_UNROLL
    for (int i = 0; i < 4; i++) {
      const int m = m0 + g * RS + ty * 4 + i;
      if (m >= p.M) continue;
      float *row = p.c + p.rowC(m);
      CONVKIT_GEMM_UNROLL
      for (int h = 0; h < GN; h++) {
        const int n = n0 + h * CS + tx * 4;
        float4 v;
        CONVKIT_GEMM_UNROLL
        for (int j = 0; j < 4; j++) lane(v, j) = acc[g * 4 + i][h * 4 + j];
        if (e.accumulate) {
          CONVKIT_GEMM_UNROLL
          for (int j = 0; j < 4; j++)
            if (n + j < p.N) atomicAdd(row + n + j, lane(v, j));
          continue;
        }
        CONVKIT_GEMM_UNROLL
        for (int j = 0; j < 4; j++) {
          float x = lane(v, j);
          if (e.bias) x += e.bias[e.biasStride * (n + j < p.N ? n + j : 0)];
          lane(v, j) = activate(x, e.activation, e.alpha);
        }
        if (p.vecC && n + 3 < p.N) {
          *reinterpret_cast<float4 *>(row + n) = v;
        } else {
          CONVKIT_GEMM_UNROLL
          for (int j = 0; j < 4; j++)
            if (n + j < p.N) row[n + j] = lane(v, j);
        }
      }
    }
  }
}

/** Blocks per GEMM tile kind. */
template <class T>
struct Blocks {
  static int64_t of(int64_t rows, int64_t columns) {
    return ((rows + T::BM - 1) / T::BM) * ((columns + T::BN - 1) / T::BN);
  }
};

/** The multiprocessors to fill; the emulator plans as for an H100 so that tests take the benchmarked paths. */
inline int multiprocessors() { return device().emulated ? 132 : ckMax(1, device().multiprocessors); }

/**
 * The tile kind and K split for a GEMM of batch × (M×N, depth K): big tiles
 * when they still give two waves of blocks, narrow ones for narrow outputs,
 * and K split when the blocks would leave most multiprocessors idle.
 */
inline void plan(int64_t M, int64_t N, int64_t K, int64_t batch, GemmPlan wanted, bool canSplit, int &tile,
                 int &splits) {
  const int sms = multiprocessors();
  tile = wanted.tile;
  if (tile < 0 || tile > 2) {
    if (N <= 32) {
      tile = kNarrow;
    } else if (N <= 64) {
      tile = kMedium;
    } else {
      tile = Blocks<Large>::of(M, N) * batch >= 2 * sms ? kLarge : kMedium;
    }
  }
  const int64_t blocks = batch * (tile == kLarge    ? Blocks<Large>::of(M, N)
                                  : tile == kMedium ? Blocks<Medium>::of(M, N)
                                                    : Blocks<Narrow>::of(M, N));
  const int bk = tile == kLarge ? Large::BK : tile == kMedium ? Medium::BK : Narrow::BK;
  const int64_t kTiles = (K + bk - 1) / bk;
  int64_t n = wanted.splits;
  if (n <= 0) {
    n = 1;
    // Split when fewer than one block per multiprocessor, keeping >= 32 K tiles per split.
    if (canSplit && blocks < sms && kTiles >= 64) n = ckMin<int64_t>((2 * sms + blocks - 1) / blocks, kTiles / 32);
  }
  n = ckMax<int64_t>(1, ckMin<int64_t>(n, ckMax<int64_t>(kTiles, 1)));
  splits = static_cast<int>(ckMin<int64_t>(n, 65535));
}

/**
 * Launches kernel<T, P> over `batch` problems (begin(z) for z < batch), M
 * rows (the largest of the problems) and N columns, `splits` blocks along K.
 */
template <class T, class P>
void launch(const P &p, const Epilogue &e, int64_t maxM, int64_t N, int64_t batch, int splits, const char *name) {
  const int64_t gridM = (maxM + T::BM - 1) / T::BM, gridN = (N + T::BN - 1) / T::BN;
  if (gridM == 0 || gridN == 0 || batch == 0) return;
  if (gridM * gridN > 2147483647) throw GpuError(std::string(name) + ": the matrix is too large for one grid");
  const int64_t perLaunch = ckMax<int64_t>(1, 65535 / splits);
  for (int64_t z = 0; z < batch; z += perLaunch) {
    const int64_t count = ckMin(perLaunch, batch - z);
    const dim3 grid(static_cast<unsigned>(gridM * gridN), 1, static_cast<unsigned>(count * splits));
    auto *const gemmKernel = &kernel<T, P>;
    CK_LAUNCH(gemmKernel, grid, T::kThreads, p, e, splits, static_cast<int>(z), static_cast<int>(gridM),
              static_cast<int>(gridN));
    checkLaunch(name);
  }
}

/** launch() with the tile kind chosen at run time. */
template <class P>
void launchTile(int tile, const P &p, const Epilogue &e, int64_t maxM, int64_t N, int64_t batch, int splits,
                const char *name) {
  if (tile == kLarge) {
    launch<Large>(p, e, maxM, N, batch, splits, name);
  } else if (tile == kMedium) {
    launch<Medium>(p, e, maxM, N, batch, splits, name);
  } else {
    launch<Narrow>(p, e, maxM, N, batch, splits, name);
  }
}

}  // namespace convkit::gpu::gemm
#endif  // CONVKIT_GEMM_CORE
