// Local response normalization across channels (and its gradient) and batch
// normalization with given statistics (norm.cu), as tfjs' cpu kernels define them.
#pragma once

#include <cstdint>

namespace convkit::gpu {

/**
 * y = x · (bias + alpha · Σ x²)^−beta, the sum over the channels within
 * `radius` of each element's (clamped to the pixel): x and y are [pixels, channels].
 */
void launchLrn(float *y, const float *x, int64_t pixels, int channels, int radius, float bias, float alpha,
               float beta);
/** dx of LRN given x, its output y and dy (tfjs' LRNGrad); [pixels, channels] each. */
void launchLrnGrad(float *dx, const float *x, const float *y, const float *dy, int64_t pixels, int channels,
                   int radius, float bias, float alpha, float beta);

/** One of batch norm's small operands: element i of x uses values[i % length]. */
struct Cyclic {
  const float *values;  // null: the operand is absent (offset 0, scale 1)
  int64_t length;
};

/**
 * y = offset + (x − mean) · scale / sqrt(variance + epsilon), each operand
 * indexed cyclically (tfjs' cpu kernel: broadcast along the last axis when
 * its length is the channel count).
 */
void launchBatchNorm(float *y, const float *x, int64_t count, Cyclic mean, Cyclic variance, Cyclic offset,
                     Cyclic scale, float epsilon);

}  // namespace convkit::gpu
