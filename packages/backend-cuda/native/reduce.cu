// Reductions and the row softmax (reduce.h).
//
// A reduction is planned on the input's axes merged into runs (neighbouring
// axes that are both reduced or both kept; size-1 axes dropped). Each pass
// reduces one reduced run as an `outer × length × inner` problem, the
// largest run first (so later passes read at most half as much), until no
// reduced run is left; intermediate passes keep the accumulator type
// (float for Mean, the (value, index) pair for ArgMax...) and only the last
// one converts (Mean divides by the whole reduced count). Interleaved axes
// (e.g. [0, 2] of a 3-d tensor) are thus two passes, and never a transpose.
//
// - inner == 1, the reduced run innermost: `rows`, a group of threads per
//   row (1 for rows of ≤ 8, 8, 32, or the whole 256-thread block for long
//   rows), strided loads inside a row, then a shared-memory tree per group.
// - inner > 1: `columns`, blocks of width × height threads with width =
//   min(inner, 32) contiguous columns: a warp's loads cover whole runs of
//   contiguous memory (when inner < 32, several consecutive rows of the
//   [length, inner] slab), the height threads of a column split the reduced
//   extent and meet in a shared-memory tree.
// When either kernel would leave the GPU short of blocks (fewer than
// kTargetBlocks) and the reduced extent is long, blockIdx.y splits it into
// chunks whose partial results (accumulator type, scratch from
// gpu::allocate) a second pass of the same kind reduces: no atomics, and the
// summation order depends only on the shape, so results are deterministic
// (and identical in the emulator and on a GPU).
#include <climits>
#include <stdexcept>
#include <type_traits>

#include "device.h"
#include "reduce.h"

// Unrolled loads for more bytes in flight (nvcc; g++ does not know the pragma).
#ifdef __CUDACC__
#define CK_REDUCE_UNROLL _Pragma("unroll 4")
#else
#define CK_REDUCE_UNROLL
#endif

namespace convkit::gpu {
namespace reduce {

constexpr unsigned kThreads = 256;
/** About 8 resident 256-thread blocks on each of an H100's 132 SMs. */
constexpr int64_t kTargetBlocks = 1024;
/** The fewest elements of a row one block takes when rows are split into chunks. */
constexpr int64_t kRowChunk = 4096;
/** The fewest loads per thread when columns are split into chunks. */
constexpr int64_t kColumnSteps = 16;

template <class T>
__device__ __forceinline__ bool isNan(T v) {
  return v != v;
}
__device__ __forceinline__ float lowest(float) { return -INFINITY; }
__device__ __forceinline__ int32_t lowest(int32_t) { return INT32_MIN; }
__device__ __forceinline__ float highest(float) { return INFINITY; }
__device__ __forceinline__ int32_t highest(int32_t) { return INT32_MAX; }
// int32 arithmetic wraps like tfjs' Int32Array stores (no signed overflow).
__device__ __forceinline__ float add(float a, float b) { return a + b; }
__device__ __forceinline__ int32_t add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}
__device__ __forceinline__ float multiply(float a, float b) { return a * b; }
__device__ __forceinline__ int32_t multiply(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) * static_cast<uint32_t>(b));
}
/** max with NaN winning (tfjs' cpu Max: `isNaN(v) || v > max`). */
template <class T>
__device__ __forceinline__ T maxNan(T a, T b) {
  return isNan(a) ? a : isNan(b) ? b : (b > a ? b : a);
}
template <class T>
__device__ __forceinline__ T minNan(T a, T b) {
  return isNan(a) ? a : isNan(b) ? b : (b < a ? b : a);
}

// The reductions: In (element), Acc (accumulator, what partial results
// hold), Out (result). load(v, j) takes element j of the reduced extent;
// combine(a, b) is associative (a holds earlier elements than b); finish
// gets the whole reduced count (Mean).

template <class T>
struct Sum {
  using In = T;
  using Acc = T;
  using Out = T;
  static __device__ __forceinline__ Acc identity() { return T(0); }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return add(a, b); }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

template <class T>
struct Mean {
  using In = T;
  using Acc = float;
  using Out = float;
  static __device__ __forceinline__ Acc identity() { return 0.0f; }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return static_cast<float>(v); }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a + b; }
  static __device__ __forceinline__ Out finish(Acc a, float count) { return a / count; }
};

template <class T>
struct Prod {
  using In = T;
  using Acc = T;
  using Out = T;
  static __device__ __forceinline__ Acc identity() { return T(1); }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return multiply(a, b); }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

template <class T>
struct Max {
  using In = T;
  using Acc = T;
  using Out = T;
  static __device__ __forceinline__ Acc identity() { return lowest(T()); }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return maxNan(a, b); }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

template <class T>
struct Min {
  using In = T;
  using Acc = T;
  using Out = T;
  static __device__ __forceinline__ Acc identity() { return highest(T()); }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return minNan(a, b); }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

struct All {
  using In = int32_t;
  using Acc = int32_t;
  using Out = int32_t;
  static __device__ __forceinline__ Acc identity() { return 1; }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v != 0 ? 1 : 0; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a & b; }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

struct Any {
  using In = int32_t;
  using Acc = int32_t;
  using Out = int32_t;
  static __device__ __forceinline__ Acc identity() { return 0; }
  static __device__ __forceinline__ Acc load(In v, int64_t) { return v != 0 ? 1 : 0; }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) { return a | b; }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a; }
};

/** A candidate of ArgMax/ArgMin: index < 0 is none. */
template <class T>
struct Pair {
  T value;
  int32_t index;
};

/**
 * tfjs' cpu ArgMax keeps x[0] and moves on only for `v > best`: the first
 * index of the extreme wins ties, a NaN is never taken, except at index 0
 * where nothing replaces it (here: x[0] = NaN becomes an unbeatable ±inf).
 */
template <class T, bool kMax>
struct Arg {
  using In = T;
  using Acc = Pair<T>;
  using Out = int32_t;
  static __device__ __forceinline__ Acc identity() { return Acc{lowest(T()), -1}; }
  static __device__ __forceinline__ Acc load(In v, int64_t j) {
    if (isNan(v)) return j == 0 ? Acc{kMax ? highest(T()) : lowest(T()), 0} : Acc{v, -1};
    return Acc{v, static_cast<int32_t>(j)};
  }
  static __device__ __forceinline__ Acc combine(Acc a, Acc b) {
    if (b.index < 0) return a;
    if (a.index < 0) return b;
    const bool better = kMax ? b.value > a.value : b.value < a.value;
    return better || (b.value == a.value && b.index < a.index) ? b : a;
  }
  static __device__ __forceinline__ Out finish(Acc a, float) { return a.index < 0 ? 0 : a.index; }
};

/** What a pass reads: the input's elements (first pass) or accumulators. */
template <class Op, bool kFirst>
using Source = std::conditional_t<kFirst, typename Op::In, typename Op::Acc>;
/** What a pass writes: results (last pass) or accumulators. */
template <class Op, bool kFinal>
using Target = std::conditional_t<kFinal, typename Op::Out, typename Op::Acc>;

template <class Op, bool kFirst>
__device__ __forceinline__ typename Op::Acc fetch(const Source<Op, kFirst> *in, int64_t at, int64_t j) {
  if constexpr (kFirst) {
    return Op::load(in[at], j);
  } else {
    return in[at];
  }
}

template <class Op, bool kFinal>
__device__ __forceinline__ void put(Target<Op, kFinal> *out, int64_t at, typename Op::Acc a, float count) {
  if constexpr (kFinal) {
    out[at] = Op::finish(a, count);
  } else {
    out[at] = a;
  }
}

/**
 * Rows of `length` contiguous elements; blockDim.x threads (a power of two)
 * per row, blockDim.y rows per block, grid-stride over the rows. blockIdx.y
 * takes the chunk [blockIdx.y·chunk, +chunk) of each row and writes
 * out[row · gridDim.y + blockIdx.y].
 */
template <class Op, bool kFirst, bool kFinal>
__global__ void __launch_bounds__(kThreads)
    rows(const Source<Op, kFirst> *__restrict__ in, Target<Op, kFinal> *__restrict__ out, int64_t count,
         int64_t length, int64_t chunk, float divisor) {
  using Acc = typename Op::Acc;
  __shared__ Acc partial[kThreads];
  const unsigned group = blockDim.x;
  const unsigned x = threadIdx.x;
  const unsigned slot = threadIdx.y * group + x;
  const int64_t begin = blockIdx.y * chunk;
  const int64_t end = ckMin(length, begin + chunk);
  for (int64_t first = blockIdx.x * int64_t{blockDim.y}; first < count; first += int64_t{blockDim.y} * gridDim.x) {
    const int64_t row = first + threadIdx.y;
    Acc acc = Op::identity();
    if (row < count) {
      const int64_t base = row * length;
CK_REDUCE_UNROLL
      for (int64_t j = begin + x; j < end; j += group) acc = Op::combine(acc, fetch<Op, kFirst>(in, base + j, j));
    }
    if (group > 1) {
      partial[slot] = acc;
      __syncthreads();
      for (unsigned s = group / 2; s > 0; s >>= 1) {
        if (x < s) partial[slot] = Op::combine(partial[slot], partial[slot + s]);
        __syncthreads();
      }
      acc = partial[slot - x];
      __syncthreads();  // read before the next rows overwrite it
    }
    if (x == 0 && row < count) put<Op, kFinal>(out, row * gridDim.y + blockIdx.y, acc, divisor);
  }
}

/**
 * outer slabs of [length, inner]: blockDim.x contiguous columns per tile,
 * blockDim.y threads splitting the reduced extent, grid-stride over the
 * outer × column tiles. blockIdx.y takes the rows [blockIdx.y·chunk,
 * +chunk) and writes out[(blockIdx.y · outer + o) · inner + column].
 */
template <class Op, bool kFirst, bool kFinal>
__global__ void __launch_bounds__(kThreads)
    columns(const Source<Op, kFirst> *__restrict__ in, Target<Op, kFinal> *__restrict__ out, int64_t outer,
            int64_t length, int64_t inner, int64_t chunk, float divisor) {
  using Acc = typename Op::Acc;
  __shared__ Acc partial[kThreads];
  const unsigned x = threadIdx.x;
  const unsigned y = threadIdx.y;
  const unsigned width = blockDim.x;
  const unsigned height = blockDim.y;
  const unsigned slot = y * width + x;
  unsigned top = 1;
  while (top < height) top <<= 1;
  const int64_t tilesPerSlab = (inner + width - 1) / width;
  const int64_t tiles = outer * tilesPerSlab;
  const int64_t begin = blockIdx.y * chunk;
  const int64_t end = ckMin(length, begin + chunk);
  for (int64_t tile = blockIdx.x; tile < tiles; tile += gridDim.x) {
    const int64_t o = tile / tilesPerSlab;
    const int64_t column = (tile - o * tilesPerSlab) * width + x;
    Acc acc = Op::identity();
    if (column < inner) {
      const int64_t base = o * length * inner + column;
CK_REDUCE_UNROLL
      for (int64_t j = begin + y; j < end; j += height)
        acc = Op::combine(acc, fetch<Op, kFirst>(in, base + j * inner, j));
    }
    partial[slot] = acc;
    __syncthreads();
    for (unsigned s = top / 2; s > 0; s >>= 1) {
      if (y < s && y + s < height) partial[slot] = Op::combine(partial[slot], partial[slot + s * width]);
      __syncthreads();
    }
    if (y == 0 && column < inner) put<Op, kFinal>(out, (blockIdx.y * outer + o) * inner + column, partial[x], divisor);
    __syncthreads();  // read before the next tile overwrites it
  }
}

/** Reduces within each row's group of blockDim.x threads; every thread of the group gets the result. */
template <bool kMax>
__device__ float groupReduce(float *partial, float v) {
  const unsigned group = blockDim.x;
  if (group == 1) return v;
  const unsigned x = threadIdx.x;
  const unsigned slot = threadIdx.y * group + x;
  partial[slot] = v;
  __syncthreads();
  for (unsigned s = group / 2; s > 0; s >>= 1) {
    if (x < s) partial[slot] = kMax ? maxNan(partial[slot], partial[slot + s]) : partial[slot] + partial[slot + s];
    __syncthreads();
  }
  const float result = partial[slot - x];
  __syncthreads();
  return result;
}

/** Softmax of rows of `length` floats, laid out like `rows` (a group of blockDim.x threads per row). */
__global__ void __launch_bounds__(kThreads)
    softmax(const float *__restrict__ in, float *__restrict__ out, int64_t count, int64_t length) {
  __shared__ float partial[kThreads];
  const unsigned group = blockDim.x;
  const unsigned x = threadIdx.x;
  for (int64_t first = blockIdx.x * int64_t{blockDim.y}; first < count; first += int64_t{blockDim.y} * gridDim.x) {
    const int64_t row = first + threadIdx.y;
    const bool valid = row < count;
    const float *p = in + (valid ? row : 0) * length;
    float *q = out + (valid ? row : 0) * length;
    float top = -INFINITY;
    if (valid)
      for (int64_t j = x; j < length; j += group) top = maxNan(top, p[j]);
    top = groupReduce<true>(partial, top);
    float sum = 0.0f;
    if (valid)
      for (int64_t j = x; j < length; j += group) sum += expf(p[j] - top);
    sum = groupReduce<false>(partial, sum);
    if (valid)
      for (int64_t j = x; j < length; j += group) q[j] = expf(p[j] - top) / sum;
  }
}

/** Threads per row for rows of `length`: one thread for short rows up to the whole block. */
inline unsigned rowGroup(int64_t length) {
  return length <= 8 ? 1 : length <= 64 ? 8 : length <= 512 ? 32 : kThreads;
}

inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/** Chunks to split a reduced extent into so that `blocks` become about kTargetBlocks. */
inline int64_t chunksFor(int64_t blocks, int64_t length, int64_t leastChunk) {
  if (blocks >= kTargetBlocks || length <= leastChunk) return 1;
  const int64_t chunks = ckMin(ceilDiv(kTargetBlocks, blocks), ceilDiv(length, leastChunk));
  return ceilDiv(length, ceilDiv(length, chunks));  // no empty chunk
}

/** Reduces [outer, length, inner] to [outer, inner]; reads Source<Op, kFirst>, writes Target<Op, kFinal>. */
template <class Op, bool kFirst, bool kFinal>
void pass(const void *in, void *out, int64_t outer, int64_t length, int64_t inner, float divisor) {
  using Acc = typename Op::Acc;
  const auto *source = static_cast<const Source<Op, kFirst> *>(in);
  auto *target = static_cast<Target<Op, kFinal> *>(out);
  if (inner == 1) {
    const unsigned group = rowGroup(length);
    const dim3 block(group, kThreads / group);
    const unsigned blocks = blocksFor(outer, block.y);
    const int64_t chunks = group == kThreads ? chunksFor(blocks, length, kRowChunk) : 1;
    if (chunks == 1) {
      constexpr auto kernel = rows<Op, kFirst, kFinal>;
      CK_LAUNCH(kernel, blocks, block, source, target, outer, length, length, divisor);
      checkLaunch("reduce rows");
      return;
    }
    auto *partial = static_cast<Acc *>(allocate(static_cast<size_t>(outer * chunks) * sizeof(Acc)));
    constexpr auto kernel = rows<Op, kFirst, false>;
    CK_LAUNCH(kernel, dim3(blocks, static_cast<unsigned>(chunks)), block, source, partial, outer, length,
              ceilDiv(length, chunks), divisor);
    checkLaunch("reduce rows");
    pass<Op, false, kFinal>(partial, out, outer, chunks, 1, divisor);
    release(partial);
    return;
  }
  const unsigned width = inner >= 32 ? 32 : static_cast<unsigned>(inner);
  unsigned height = kThreads / width;
  unsigned enough = 1;  // no more threads along the reduced extent than it has rows
  while (enough < length && enough < height) enough <<= 1;
  height = ckMin(height, enough);
  const dim3 block(width, height);
  const int64_t tiles = outer * ceilDiv(inner, width);
  const unsigned blocks = blocksFor(tiles, 1);
  const int64_t chunks = chunksFor(blocks, length, height * kColumnSteps);
  if (chunks == 1) {
    constexpr auto kernel = columns<Op, kFirst, kFinal>;
    CK_LAUNCH(kernel, blocks, block, source, target, outer, length, inner, length, divisor);
    checkLaunch("reduce columns");
    return;
  }
  auto *partial = static_cast<Acc *>(allocate(static_cast<size_t>(chunks * outer * inner) * sizeof(Acc)));
  constexpr auto kernel = columns<Op, kFirst, false>;
  CK_LAUNCH(kernel, dim3(blocks, static_cast<unsigned>(chunks)), block, source, partial, outer, length, inner,
            ceilDiv(length, chunks), divisor);
  checkLaunch("reduce columns");
  pass<Op, false, kFinal>(partial, out, 1, chunks, outer * inner, divisor);
  release(partial);
}

struct Run {
  int64_t size;
  bool reduced;
};

/** Neighbouring axes of the same kind merged, size-1 axes dropped. */
inline std::vector<Run> runsOf(const std::vector<int64_t> &dims, const std::vector<bool> &reduced) {
  std::vector<Run> runs;
  for (size_t d = 0; d < dims.size(); d++) {
    if (dims[d] == 1) continue;
    if (!runs.empty() && runs.back().reduced == reduced[d]) {
      runs.back().size *= dims[d];
    } else {
      runs.push_back({dims[d], static_cast<bool>(reduced[d])});
    }
  }
  return runs;
}

template <class Op>
void run(const void *x, void *out, std::vector<Run> runs, float divisor) {
  using Acc = typename Op::Acc;
  int64_t total = 1;
  int reducedRuns = 0;
  for (const Run &r : runs) {
    total *= r.size;
    reducedRuns += r.reduced ? 1 : 0;
  }
  if (reducedRuns == 0) {  // every reduced axis has size 1: one element per output
    pass<Op, true, true>(x, out, total, 1, 1, divisor);
    return;
  }
  const void *source = x;
  void *scratch = nullptr;
  bool first = true;
  while (reducedRuns > 0) {
    size_t k = 0;
    int64_t largest = 0;
    for (size_t i = 0; i < runs.size(); i++) {
      if (runs[i].reduced && runs[i].size > largest) {
        largest = runs[i].size;
        k = i;
      }
    }
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < k; i++) outer *= runs[i].size;
    for (size_t i = k + 1; i < runs.size(); i++) inner *= runs[i].size;
    const bool last = reducedRuns == 1;
    void *target = last ? out : allocate(static_cast<size_t>(outer * inner) * sizeof(Acc));
    if (first && last) {
      pass<Op, true, true>(source, target, outer, largest, inner, divisor);
    } else if (first) {
      pass<Op, true, false>(source, target, outer, largest, inner, divisor);
    } else if (last) {
      pass<Op, false, true>(source, target, outer, largest, inner, divisor);
    } else {
      pass<Op, false, false>(source, target, outer, largest, inner, divisor);
    }
    if (scratch) release(scratch);  // stream order: the pass above has read it
    scratch = last ? nullptr : target;
    source = target;
    first = false;
    reducedRuns--;
    // Drop the run; its neighbours (both kept) become one.
    runs.erase(runs.begin() + static_cast<std::ptrdiff_t>(k));
    if (k > 0 && k < runs.size() && runs[k - 1].reduced == runs[k].reduced) {
      runs[k - 1].size *= runs[k].size;
      runs.erase(runs.begin() + static_cast<std::ptrdiff_t>(k));
    }
  }
}

}  // namespace reduce

void launchReduce(ReduceOp op, DType dtype, const void *x, void *out, const std::vector<int64_t> &dims,
                  const std::vector<bool> &reduced) {
  using namespace reduce;
  const std::vector<Run> runs = runsOf(dims, reduced);
  double count = 1;
  for (size_t d = 0; d < dims.size(); d++)
    if (reduced[d]) count *= static_cast<double>(dims[d]);
  const float divisor = static_cast<float>(count);
  const bool isFloat = dtype == kFloat32;
  switch (op) {
    case ReduceOp::kSum:
      return isFloat ? run<Sum<float>>(x, out, runs, divisor) : run<Sum<int32_t>>(x, out, runs, divisor);
    case ReduceOp::kMean:
      return isFloat ? run<Mean<float>>(x, out, runs, divisor) : run<Mean<int32_t>>(x, out, runs, divisor);
    case ReduceOp::kMax:
      return isFloat ? run<Max<float>>(x, out, runs, divisor) : run<Max<int32_t>>(x, out, runs, divisor);
    case ReduceOp::kMin:
      return isFloat ? run<Min<float>>(x, out, runs, divisor) : run<Min<int32_t>>(x, out, runs, divisor);
    case ReduceOp::kProd:
      return isFloat ? run<Prod<float>>(x, out, runs, divisor) : run<Prod<int32_t>>(x, out, runs, divisor);
    case ReduceOp::kAll:
      if (isFloat) throw std::invalid_argument("convkit cuda: All takes bool or int32 data");
      return run<All>(x, out, runs, divisor);
    case ReduceOp::kAny:
      if (isFloat) throw std::invalid_argument("convkit cuda: Any takes bool or int32 data");
      return run<Any>(x, out, runs, divisor);
    case ReduceOp::kArgMax:
      return isFloat ? run<Arg<float, true>>(x, out, runs, divisor) : run<Arg<int32_t, true>>(x, out, runs, divisor);
    case ReduceOp::kArgMin:
      return isFloat ? run<Arg<float, false>>(x, out, runs, divisor)
                     : run<Arg<int32_t, false>>(x, out, runs, divisor);
  }
  throw std::invalid_argument("convkit cuda: unknown reduction");
}

void launchSoftmax(float *out, const float *in, int64_t rows, int64_t length) {
  if (rows == 0 || length == 0) return;
  const unsigned group = reduce::rowGroup(length);
  const dim3 block(group, reduce::kThreads / group);
  CK_LAUNCH(reduce::softmax, blocksFor(rows, block.y), block, in, out, rows, length);
  checkLaunch("softmax");
}

}  // namespace convkit::gpu

#undef CK_REDUCE_UNROLL
