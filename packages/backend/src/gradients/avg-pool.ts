import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradient of `AvgPool` that matches its forward pass at the borders.
 *
 * tfjs' forward average divides each window by the number of real (not
 * padding) elements in it, but every backend's `AvgPoolGrad` divides by the
 * full window size, so with 'same' or explicit padding the border gradients
 * are too small (found by the conformance suite: 1.18 instead of 1.63 on a
 * 3×3 'same' pool). Scaling the output gradient by `window / count` before
 * the stock kernel makes the two agree; `count` is the number of real
 * elements under each window, a sum-pool of ones over the zero-padded input.
 */
export const avgPoolGradConfig: tf.GradConfig = {
  kernelName: tf.AvgPool,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor4D];
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.AvgPoolAttrs;
    const info = tf.backend_util.computePool2DInfo(x.shape, filterSize, strides, 1, pad, dimRoundingMode);
    const { top, bottom, left, right } = info.padInfo;
    const stockGrad = (scaled: tf.Tensor4D) =>
      tf.engine().runKernel(tf.AvgPoolGrad, { dy: scaled, input: x }, {
        filterSize,
        strides,
        pad,
        dimRoundingMode,
      } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
    if (top + bottom + left + right === 0) return { x: () => stockGrad(dy as tf.Tensor4D) };
    return {
      x: () => {
        const ones = tf.pad(tf.ones([1, x.shape[1], x.shape[2], 1]), [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ]);
        const fraction = tf.avgPool(ones as tf.Tensor4D, [info.filterHeight, info.filterWidth], strides, 'valid');
        return stockGrad(tf.div(dy as tf.Tensor4D, fraction));
      },
    };
  },
};
