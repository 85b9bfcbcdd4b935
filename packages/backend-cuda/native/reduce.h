// Reductions over any axes (sum, mean, max, min, prod, all, any, argmax,
// argmin) and the row softmax (reduce.cu).
#pragma once

#include <cstdint>
#include <vector>

#include "copy.h"  // DType

namespace convkit::gpu {

/** The reductions, numbered as the binding takes them. */
enum class ReduceOp : int {
  kSum = 0,
  kMean = 1,
  kMax = 2,
  kMin = 3,
  kProd = 4,
  kAll = 5,
  kAny = 6,
  kArgMax = 7,
  kArgMin = 8,
};

/**
 * out = op of x over the axes marked in `reduced` (one flag per dimension of
 * `dims`). x holds elementCount(dims) elements of `dtype` (bool as int32),
 * out the kept elements, in order, of the result type: Sum and Prod keep
 * float32 and give int32 for int32/bool (wrapping), Mean gives float32
 * (sum / count), Max and Min keep the type (NaN wins), ArgMax/ArgMin give
 * the int32 index of the first extreme along the one reduced axis (a NaN is
 * skipped, except at index 0, as tfjs' cpu kernels do), All/Any give 0/1.
 * Needs at least one element reduced into each output (no empty axis);
 * scratch memory comes from gpu::allocate.
 */
void launchReduce(ReduceOp op, DType dtype, const void *x, void *out, const std::vector<int64_t> &dims,
                  const std::vector<bool> &reduced);

/** out[r, :] = softmax(in[r, :]) for `rows` contiguous rows of `length` floats (max-shifted, like tfjs). */
void launchSoftmax(float *out, const float *in, int64_t rows, int64_t length);

}  // namespace convkit::gpu
