// Element-wise kernels (elementwise.h).
//
// Every kernel is a grid-stride loop over the output, one thread per element
// (or per 4 elements: the float32 unary ops and the same-shape binary ops read
// and write 16-byte packs when the blocks are aligned, which cudaMalloc's are).
// Ops are template parameters on the hot paths (float32 unary, binary), so
// each kernel is the op's arithmetic and its loads and stores, nothing else.
// Broadcast binary ops walk the output's index space with per-operand strides
// (0 along broadcast axes), after the binding merged every run of dimensions
// the operands cross contiguously: a bias add is rank 2 (one division per
// element), a scalar or same-shape operand is rank 1 (no index arithmetic).
//
// The semantics are tfjs' cpu kernels, which compute in float64 and store
// into typed arrays: int32 results are JS's ToInt32 of the float64 result
// (NaN and ±Infinity give 0, overflow wraps), so the int32 paths compute in
// double too and convert the same way.
#include "device.h"
#include "elementwise.h"

namespace convkit::gpu {
namespace elementwise {

constexpr unsigned kThreads = 256;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSeluScaleAlpha = 1.7580993408473768599402175208123;
/** tfjs' softplus switches to exp(x) below log(float32 epsilon) + 2, and to x above its negative. */
constexpr double kSoftplusThreshold = -13.942385152878742;

/** Four elements moved as one 16-byte access. */
template <class T>
struct alignas(16) Pack {
  T v[4];
};

// The same math in float and in double, by overload.
__device__ __forceinline__ float mAbs(float x) { return fabsf(x); }
__device__ __forceinline__ double mAbs(double x) { return fabs(x); }
__device__ __forceinline__ float mExp(float x) { return expf(x); }
__device__ __forceinline__ double mExp(double x) { return exp(x); }
__device__ __forceinline__ float mExpm1(float x) { return expm1f(x); }
__device__ __forceinline__ double mExpm1(double x) { return expm1(x); }
__device__ __forceinline__ float mLog(float x) { return logf(x); }
__device__ __forceinline__ double mLog(double x) { return log(x); }
__device__ __forceinline__ float mLog1p(float x) { return log1pf(x); }
__device__ __forceinline__ double mLog1p(double x) { return log1p(x); }
__device__ __forceinline__ float mSqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double mSqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float mRsqrt(float x) { return rsqrtf(x); }
__device__ __forceinline__ double mRsqrt(double x) { return 1.0 / sqrt(x); }
__device__ __forceinline__ float mTanh(float x) { return tanhf(x); }
__device__ __forceinline__ double mTanh(double x) { return tanh(x); }
__device__ __forceinline__ float mSin(float x) { return sinf(x); }
__device__ __forceinline__ double mSin(double x) { return sin(x); }
__device__ __forceinline__ float mCos(float x) { return cosf(x); }
__device__ __forceinline__ double mCos(double x) { return cos(x); }
__device__ __forceinline__ float mFloor(float x) { return floorf(x); }
__device__ __forceinline__ double mFloor(double x) { return floor(x); }
__device__ __forceinline__ float mCeil(float x) { return ceilf(x); }
__device__ __forceinline__ double mCeil(double x) { return ceil(x); }
/** Round half to even, as tfjs' Round (the default rounding mode). */
__device__ __forceinline__ float mRound(float x) { return rintf(x); }
__device__ __forceinline__ double mRound(double x) { return rint(x); }

/** JS's ToInt32: how a float64 lands in an Int32Array (NaN and ±Infinity → 0, out of range wraps mod 2^32). */
__host__ __device__ __forceinline__ int32_t toInt32(double v) {
  if (!(v - v == 0.0)) return 0;
  const double t = trunc(v);
  if (t >= -2147483648.0 && t <= 2147483647.0) return static_cast<int32_t>(t);
  double m = fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return static_cast<int32_t>(static_cast<uint32_t>(m));
}

/** The unary ops' arithmetic in T; with `op` a constant the switch folds away. */
template <class T>
__device__ __forceinline__ T unaryMath(int op, T x, T alpha, T beta) {
  const T zero = T(0), one = T(1);
  switch (op) {
    case kAbs: return mAbs(x);
    case kNeg: return -x;
    case kExp: return mExp(x);
    case kLog: return mLog(x);
    case kLog1p: return mLog1p(x);
    case kSqrt: return mSqrt(x);
    case kRsqrt: return mRsqrt(x);
    case kSquare: return x * x;
    case kReciprocal: return one / x;
    case kRelu: return (x > zero || x != x) ? x : zero;  // Math.max(0, x): NaN stays NaN, -0 gives 0
    case kRelu6: return x > T(6) ? T(6) : ((x > zero || x != x) ? x : zero);
    case kElu: return x >= zero ? x : mExpm1(x);
    case kSelu: return x >= zero ? T(kSeluScale) * x : T(kSeluScaleAlpha) * mExpm1(x);
    case kSigmoid: return one / (one + mExp(-x));
    case kTanh: return mTanh(x);
    case kSoftplus:
      if (static_cast<double>(x) < kSoftplusThreshold) return mExp(x);
      if (static_cast<double>(x) > -kSoftplusThreshold) return x;
      return mLog1p(mExp(x));
    case kFloor: return mFloor(x);
    case kCeil: return mCeil(x);
    case kRound: return mRound(x);
    case kSign: return x < zero ? -one : (x > zero ? one : zero);  // NaN → 0
    case kSin: return mSin(x);
    case kCos: return mCos(x);
    case kStep: return x != x ? x : (x > zero ? one : alpha);
    case kLeakyRelu: return x < zero ? alpha * x : x;
    case kClipByValue: return x > beta ? beta : (x < alpha ? alpha : x);
    case kIsNan: return x != x ? one : zero;
    case kLogicalNot: return (x != zero && x == x) ? zero : one;  // NaN is falsy in JS
    default: return x;
  }
}

template <int OP>
__global__ void unaryFloat(float *__restrict__ out, const float *__restrict__ in, int64_t count, float alpha,
                           float beta, int vector) {
  const int64_t first = blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
  const int64_t stride = int64_t{blockDim.x} * gridDim.x;
  int64_t done = 0;
  if (vector) {
    const int64_t packs = count / 4;
    const Pack<float> *in4 = reinterpret_cast<const Pack<float> *>(in);
    Pack<float> *out4 = reinterpret_cast<Pack<float> *>(out);
    for (int64_t p = first; p < packs; p += stride) {
      Pack<float> v = in4[p];
      for (int k = 0; k < 4; k++) v.v[k] = unaryMath<float>(OP, v.v[k], alpha, beta);
      out4[p] = v;
    }
    done = packs * 4;
  }
  for (int64_t i = done + first; i < count; i += stride) out[i] = unaryMath<float>(OP, in[i], alpha, beta);
}

/** The rare combinations (int32 or bool input, bool output): the op in double, converted as tfjs stores it. */
__global__ void unaryGeneric(void *out, const void *in, int64_t count, int op, int inType, int outType, double alpha,
                             double beta) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x) {
    const double x = inType == kFloat32 ? static_cast<double>(static_cast<const float *>(in)[i])
                                        : static_cast<double>(static_cast<const int32_t *>(in)[i]);
    double r = unaryMath<double>(op, x, alpha, beta);
    if (outType == kFloat32) {
      static_cast<float *>(out)[i] = static_cast<float>(r);
    } else if (outType == kBool) {
      static_cast<int32_t *>(out)[i] = r != 0.0 ? 1 : 0;
    } else {
      // tfjs' Abs and Square fill a Float32Array even for int32 tensors.
      if (op == kAbs || op == kSquare) r = static_cast<double>(static_cast<float>(r));
      static_cast<int32_t *>(out)[i] = toInt32(r);
    }
  }
}

// Binary ops.

constexpr bool isPredicate(int op) { return op >= kEqual && op <= kLogicalOr; }

template <bool C, class T, class F>
struct Choose {
  using type = T;
};
template <class T, class F>
struct Choose<false, T, F> {
  using type = F;
};
/** The element type an op writes: bool (as int32) for predicates, int32 for FloorDiv, else the input's. */
template <int OP, class In>
using OutOf = typename Choose<isPredicate(OP) || OP == kFloorDiv, int32_t, In>::type;

/** Math.pow's special cases where C's pow differs: a NaN exponent, and ±1 to ±Infinity, give NaN. */
__device__ __forceinline__ double jsPow(double a, double b) {
  if (b != b) return b;
  if ((a == 1.0 || a == -1.0) && !(b - b == 0.0)) return b - b;
  return pow(a, b);
}

/** tfjs' mod: JS's % (C's fmod), moved to the divisor's sign when the signs differ. */
__device__ __forceinline__ double jsMod(double a, double b) {
  const double rem = fmod(a, b);
  if ((a < 0 && b < 0) || (a >= 0 && b >= 0)) return rem;
  return fmod(rem + b, b);
}

template <int OP>
__device__ __forceinline__ OutOf<OP, float> apply(float a, float b) {
  if constexpr (OP == kAdd) return a + b;
  else if constexpr (OP == kSub) return a - b;
  else if constexpr (OP == kMultiply) return a * b;
  else if constexpr (OP == kRealDiv) return a / b;
  else if constexpr (OP == kMaximum) return (a != a || b != b) ? a + b : fmaxf(a, b);  // Math.max: NaN wins
  else if constexpr (OP == kMinimum) return (a != a || b != b) ? a + b : fminf(a, b);
  else if constexpr (OP == kPow) return static_cast<float>(jsPow(a, b));
  else if constexpr (OP == kSquaredDifference) {
    const float d = a - b;
    return d * d;
  } else if constexpr (OP == kFloorDiv) return toInt32(floor(static_cast<double>(a) / static_cast<double>(b)));
  else if constexpr (OP == kMod) return static_cast<float>(jsMod(a, b));
  else if constexpr (OP == kEqual) return a == b ? 1 : 0;
  else if constexpr (OP == kNotEqual) return a != b ? 1 : 0;
  else if constexpr (OP == kGreater) return a > b ? 1 : 0;
  else if constexpr (OP == kGreaterEqual) return a >= b ? 1 : 0;
  else if constexpr (OP == kLess) return a < b ? 1 : 0;
  else if constexpr (OP == kLessEqual) return a <= b ? 1 : 0;
  else if constexpr (OP == kLogicalAnd) return (a != 0.0f && b != 0.0f) ? 1 : 0;
  else if constexpr (OP == kLogicalOr) return (a != 0.0f || b != 0.0f) ? 1 : 0;
  else if constexpr (OP == kPrelu) return a < 0.0f ? b * a : a;  // (x, alpha)
  else return b >= 0.0f ? a : a * (b + 1.0f);                     // kEluGrad: (dy, y)
}

template <int OP>
__device__ __forceinline__ int32_t apply(int32_t a, int32_t b) {
  // Arithmetic as tfjs does it: in float64, stored with ToInt32 (exact for +, - and the predicates).
  if constexpr (OP == kAdd) return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
  else if constexpr (OP == kSub) return static_cast<int32_t>(static_cast<uint32_t>(a) - static_cast<uint32_t>(b));
  else if constexpr (OP == kMultiply) return toInt32(static_cast<double>(a) * b);
  else if constexpr (OP == kRealDiv) return toInt32(static_cast<double>(a) / b);  // a / 0 is ±Infinity or NaN: 0
  else if constexpr (OP == kMaximum) return ckMax(a, b);
  else if constexpr (OP == kMinimum) return ckMin(a, b);
  else if constexpr (OP == kPow) return toInt32(jsPow(a, b));
  else if constexpr (OP == kSquaredDifference) {
    const double d = static_cast<double>(a) - b;
    return toInt32(d * d);
  } else if constexpr (OP == kFloorDiv) return toInt32(floor(static_cast<double>(a) / b));
  else if constexpr (OP == kMod) return toInt32(jsMod(a, b));
  else if constexpr (OP == kEqual) return a == b ? 1 : 0;
  else if constexpr (OP == kNotEqual) return a != b ? 1 : 0;
  else if constexpr (OP == kGreater) return a > b ? 1 : 0;
  else if constexpr (OP == kGreaterEqual) return a >= b ? 1 : 0;
  else if constexpr (OP == kLess) return a < b ? 1 : 0;
  else if constexpr (OP == kLessEqual) return a <= b ? 1 : 0;
  else if constexpr (OP == kLogicalAnd) return (a != 0 && b != 0) ? 1 : 0;
  else return (a != 0 || b != 0) ? 1 : 0;  // kLogicalOr
}

/** Operands of the output's shape, or a single element (a scalar): no index arithmetic. */
template <int OP, class In>
__global__ void binaryFlat(OutOf<OP, In> *__restrict__ out, const In *__restrict__ a, const In *__restrict__ b,
                           int64_t count, int aScalar, int bScalar, int vector) {
  using Out = OutOf<OP, In>;
  const int64_t first = blockIdx.x * int64_t{blockDim.x} + threadIdx.x;
  const int64_t stride = int64_t{blockDim.x} * gridDim.x;
  int64_t done = 0;
  if (vector) {
    const int64_t packs = count / 4;
    const In a0 = aScalar ? a[0] : In(0);
    const In b0 = bScalar ? b[0] : In(0);
    const Pack<In> *a4 = reinterpret_cast<const Pack<In> *>(a);
    const Pack<In> *b4 = reinterpret_cast<const Pack<In> *>(b);
    Pack<Out> *out4 = reinterpret_cast<Pack<Out> *>(out);
    for (int64_t p = first; p < packs; p += stride) {
      Pack<In> va, vb;
      if (aScalar) {
        for (int k = 0; k < 4; k++) va.v[k] = a0;
      } else {
        va = a4[p];
      }
      if (bScalar) {
        for (int k = 0; k < 4; k++) vb.v[k] = b0;
      } else {
        vb = b4[p];
      }
      Pack<Out> r;
      for (int k = 0; k < 4; k++) r.v[k] = apply<OP>(va.v[k], vb.v[k]);
      out4[p] = r;
    }
    done = packs * 4;
  }
  for (int64_t i = done + first; i < count; i += stride) out[i] = apply<OP>(a[aScalar ? 0 : i], b[bScalar ? 0 : i]);
}

template <int OP, class In, class Index>
__device__ __forceinline__ void stridedLoop(OutOf<OP, In> *__restrict__ out, const In *__restrict__ a,
                                            const In *__restrict__ b, const ElementwiseGeometry &g) {
  const Index count = static_cast<Index>(g.count);
  const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    Index rest = i, ai = 0, bi = 0;
    for (int d = g.rank - 1; d > 0; d--) {
      const Index dim = static_cast<Index>(g.dims[d]);
      const Index q = rest / dim;
      const Index c = rest - q * dim;
      ai += c * static_cast<Index>(g.aStrides[d]);
      bi += c * static_cast<Index>(g.bStrides[d]);
      rest = q;
    }
    ai += rest * static_cast<Index>(g.aStrides[0]);
    bi += rest * static_cast<Index>(g.bStrides[0]);
    out[i] = apply<OP>(a[ai], b[bi]);
  }
}

/** Broadcast operands: per-operand strides over the (merged) output dimensions, 32-bit index math when it fits. */
template <int OP, class In>
__global__ void binaryStrided(OutOf<OP, In> *__restrict__ out, const In *__restrict__ a, const In *__restrict__ b,
                              ElementwiseGeometry g) {
  if (g.count < (int64_t{1} << 31)) {
    stridedLoop<OP, In, uint32_t>(out, a, b, g);
  } else {
    stridedLoop<OP, In, int64_t>(out, a, b, g);
  }
}

__global__ void selectKernel(uint32_t *__restrict__ out, const int32_t *__restrict__ condition,
                       const uint32_t *__restrict__ t, const uint32_t *__restrict__ e, int64_t count, int64_t rowSize) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x) {
    const int32_t c = condition[rowSize == 1 ? i : i / rowSize];
    out[i] = c == 1 ? t[i] : e[i];
  }
}

constexpr int kAddNChunk = 8;

struct AddNInputs {
  const void *p[kAddNChunk];
  int n;
  int accumulate;  // out += inputs (a later chunk) instead of out = inputs
};

template <class T>
__global__ void addN(T *__restrict__ out, AddNInputs inputs, int64_t count) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{blockDim.x} * gridDim.x) {
    T s = inputs.accumulate ? out[i] : static_cast<const T *>(inputs.p[0])[i];
    for (int k = inputs.accumulate ? 0 : 1; k < inputs.n; k++) s += static_cast<const T *>(inputs.p[k])[i];
    out[i] = s;
  }
}

template <class Index>
__device__ __forceinline__ void oneHotLoop(uint32_t *__restrict__ out, const int32_t *__restrict__ indices,
                                           Index total, Index depth, uint32_t on, uint32_t off) {
  const Index stride = static_cast<Index>(blockDim.x) * gridDim.x;
  for (Index i = static_cast<Index>(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += stride) {
    const Index row = i / depth;
    const int64_t index = indices[row];
    out[i] = index == static_cast<int64_t>(i - row * depth) ? on : off;
  }
}

__global__ void oneHot(uint32_t *__restrict__ out, const int32_t *__restrict__ indices, int64_t count, int64_t depth,
                       uint32_t on, uint32_t off) {
  const int64_t total = count * depth;
  if (total < (int64_t{1} << 31)) {
    oneHotLoop<uint32_t>(out, indices, static_cast<uint32_t>(total), static_cast<uint32_t>(depth), on, off);
  } else {
    oneHotLoop<int64_t>(out, indices, total, depth, on, off);
  }
}

// Host-side dispatch: a runtime op code to its template instance.

bool aligned(const void *p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

template <int OP>
void launchUnaryFloat(int op, float *out, const float *in, int64_t count, float alpha, float beta) {
  if constexpr (OP < kUnaryOpCount) {
    if (op != OP) {
      launchUnaryFloat<OP + 1>(op, out, in, count, alpha, beta);
      return;
    }
    const bool vector = count >= 4 && aligned(out) && aligned(in);
    auto *const kernel = &unaryFloat<OP>;
    CK_LAUNCH(kernel, blocksFor(vector ? count / 4 : count, kThreads), kThreads, out, in, count, alpha, beta,
              vector ? 1 : 0);
  }
}

template <int OP, class In>
void launchBinaryTyped(void *outPointer, const void *aPointer, const void *bPointer, const ElementwiseGeometry &g) {
  using Out = OutOf<OP, In>;
  Out *out = static_cast<Out *>(outPointer);
  const In *a = static_cast<const In *>(aPointer);
  const In *b = static_cast<const In *>(bPointer);
  if (g.rank <= 1) {
    const bool aScalar = g.rank == 0 || g.aStrides[0] == 0;
    const bool bScalar = g.rank == 0 || g.bStrides[0] == 0;
    const bool vector = g.count >= 4 && aligned(out) && (aScalar || aligned(a)) && (bScalar || aligned(b));
    auto *const kernel = &binaryFlat<OP, In>;
    CK_LAUNCH(kernel, blocksFor(vector ? g.count / 4 : g.count, kThreads), kThreads, out, a, b, g.count,
              aScalar ? 1 : 0, bScalar ? 1 : 0, vector ? 1 : 0);
  } else {
    auto *const kernel = &binaryStrided<OP, In>;
    CK_LAUNCH(kernel, blocksFor(g.count, kThreads), kThreads, out, a, b, g);
  }
}

template <int OP>
void launchBinaryOp(int op, void *out, const void *a, const void *b, DType inType, const ElementwiseGeometry &g) {
  if constexpr (OP < kBinaryOpCount) {
    if (op != OP) {
      launchBinaryOp<OP + 1>(op, out, a, b, inType, g);
      return;
    }
    // Float32 runs every op but the logical ones (bool inputs); int32 and bool every op but Prelu and EluGrad.
    if constexpr (OP != kLogicalAnd && OP != kLogicalOr) {
      if (inType == kFloat32) launchBinaryTyped<OP, float>(out, a, b, g);
    }
    if constexpr (OP != kPrelu && OP != kEluGrad) {
      if (inType != kFloat32) launchBinaryTyped<OP, int32_t>(out, a, b, g);
    }
  }
}

int unaryOutputType(int op, DType in) {
  if (op < 0 || op >= kUnaryOpCount) return -1;
  if (op == kIsNan || op == kLogicalNot) return kBool;
  if (in == kFloat32) return kFloat32;
  if (in == kBool) return -1;
  return op == kExp || op == kLeakyRelu ? kFloat32 : kInt32;
}

int binaryOutputType(int op, DType in) {
  if (op < 0 || op >= kBinaryOpCount) return -1;
  if (op == kLogicalAnd || op == kLogicalOr) return in == kBool ? kBool : -1;
  if (isPredicate(op)) return kBool;
  if (op == kPrelu || op == kEluGrad) return in == kFloat32 ? kFloat32 : -1;
  if (in == kBool) return -1;
  if (op == kFloorDiv) return kInt32;
  return in;
}

}  // namespace elementwise

void launchUnary(int op, void *out, const void *in, int64_t count, DType inType, double alpha, double beta) {
  using namespace elementwise;
  const int outType = unaryOutputType(op, inType);
  if (count == 0 || outType < 0) return;
  if (inType == kFloat32 && outType == kFloat32) {
    launchUnaryFloat<0>(op, static_cast<float *>(out), static_cast<const float *>(in), count,
                        static_cast<float>(alpha), static_cast<float>(beta));
  } else {
    CK_LAUNCH(unaryGeneric, blocksFor(count, kThreads), kThreads, out, in, count, op, static_cast<int>(inType),
              outType, alpha, beta);
  }
  checkLaunch("unary");
}

void launchBinary(int op, void *out, const void *a, const void *b, DType inType, const ElementwiseGeometry &geometry) {
  if (geometry.count == 0 || elementwise::binaryOutputType(op, inType) < 0) return;
  elementwise::launchBinaryOp<0>(op, out, a, b, inType, geometry);
  checkLaunch("binary");
}

void launchSelect(uint32_t *out, const int32_t *condition, const uint32_t *t, const uint32_t *e, int64_t count,
                  int64_t rowSize) {
  if (count == 0) return;
  CK_LAUNCH(elementwise::selectKernel, blocksFor(count, elementwise::kThreads), elementwise::kThreads, out, condition,
            t, e, count, rowSize);
  checkLaunch("select");
}

void launchAddN(void *out, const void *const *inputs, int n, int64_t count, DType type) {
  using namespace elementwise;
  if (count == 0 || n <= 0) return;
  // Chunks of up to 8 inputs, each added in order to the running sum: the cpu kernel's summation order.
  for (int start = 0; start < n; start += kAddNChunk) {
    AddNInputs chunk{};
    chunk.n = ckMin(kAddNChunk, n - start);
    chunk.accumulate = start > 0 ? 1 : 0;
    for (int k = 0; k < chunk.n; k++) chunk.p[k] = inputs[start + k];
    if (type == kFloat32) {
      auto *const kernel = &addN<float>;
      CK_LAUNCH(kernel, blocksFor(count, kThreads), kThreads, static_cast<float *>(out), chunk, count);
    } else {
      auto *const kernel = &addN<uint32_t>;  // int32 sums wrap, as an Int32Array's
      CK_LAUNCH(kernel, blocksFor(count, kThreads), kThreads, static_cast<uint32_t *>(out), chunk, count);
    }
    checkLaunch("addN");
  }
}

void launchOneHot(uint32_t *out, const int32_t *indices, int64_t count, int64_t depth, uint32_t onBits,
                  uint32_t offBits) {
  if (count == 0 || depth == 0) return;
  CK_LAUNCH(elementwise::oneHot, blocksFor(count * depth, elementwise::kThreads), elementwise::kThreads, out, indices,
            count, depth, onBits, offBits);
  checkLaunch("oneHot");
}

}  // namespace convkit::gpu
