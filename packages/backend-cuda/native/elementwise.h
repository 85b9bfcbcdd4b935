// Element-wise kernels (elementwise.cu): unary math and activations, binary
// arithmetic and comparisons with NumPy broadcasting, select, addN, oneHot.
// Every op reproduces tfjs' cpu kernel, including its dtype rules.
#pragma once

#include <cstdint>

#include "copy.h"  // DType, kMaxRank

namespace convkit::gpu {
namespace elementwise {

/** Unary ops; the numbers are shared with src/cuda/kernels/elementwise.ts. */
enum UnaryOp : int {
  kAbs = 0,
  kNeg,
  kExp,
  kLog,
  kLog1p,
  kSqrt,
  kRsqrt,
  kSquare,
  kReciprocal,
  kRelu,
  kRelu6,
  kElu,
  kSelu,
  kSigmoid,
  kTanh,
  kSoftplus,
  kFloor,
  kCeil,
  kRound,
  kSign,
  kSin,
  kCos,
  kStep,          // alpha
  kLeakyRelu,     // alpha
  kClipByValue,   // alpha = min, beta = max
  kIsNan,         // → bool
  kLogicalNot,    // → bool
  kUnaryOpCount
};

/** Binary ops; the numbers are shared with src/cuda/kernels/elementwise.ts. */
enum BinaryOp : int {
  kAdd = 0,
  kSub,
  kMultiply,
  kRealDiv,
  kMaximum,
  kMinimum,
  kPow,
  kSquaredDifference,
  kFloorDiv,  // → int32
  kMod,
  kEqual,  // comparisons and logical ops → bool
  kNotEqual,
  kGreater,
  kGreaterEqual,
  kLess,
  kLessEqual,
  kLogicalAnd,
  kLogicalOr,
  kPrelu,    // (x, alpha), float32
  kEluGrad,  // (dy, y), float32
  kBinaryOpCount
};

/** The output dtype tfjs' cpu kernel gives `op` on `in`; -1 when the device does not run that combination. */
int unaryOutputType(int op, DType in);
int binaryOutputType(int op, DType in);

}  // namespace elementwise

/**
 * A broadcast binary op's index space, with dimensions already merged where
 * both operands are contiguous (or both broadcast) across them: per dim,
 * each operand's stride in elements (0 along a broadcast axis).
 */
struct ElementwiseGeometry {
  int rank;
  int64_t dims[kMaxRank];
  int64_t aStrides[kMaxRank];
  int64_t bStrides[kMaxRank];
  int64_t count;
};

/** out[i] = op(in[i]) for `count` elements; alpha/beta are the op's attributes. */
void launchUnary(int op, void *out, const void *in, int64_t count, DType inType, double alpha, double beta);
/** out = op(a, b) over `geometry` (out contiguous); inputs of `inType`, out of binaryOutputType(op, inType). */
void launchBinary(int op, void *out, const void *a, const void *b, DType inType, const ElementwiseGeometry &geometry);
/** out[i] = condition[i / rowSize] == 1 ? t[i] : e[i], 4-byte elements. */
void launchSelect(uint32_t *out, const int32_t *condition, const uint32_t *t, const uint32_t *e, int64_t count,
                  int64_t rowSize);
/** out = inputs[0] + ... + inputs[n-1], summed in order (float32 or int32, wrapping). */
void launchAddN(void *out, const void *const *inputs, int n, int64_t count, DType type);
/** out[i, j] = indices[i] == j ? onBits : offBits, for `count` indices and `depth` classes. */
void launchOneHot(uint32_t *out, const int32_t *indices, int64_t count, int64_t depth, uint32_t onBits,
                  uint32_t offBits);

}  // namespace convkit::gpu
