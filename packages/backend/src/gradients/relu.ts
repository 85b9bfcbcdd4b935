import * as tf from '@tensorflow/tfjs-core';

/**
 * ReLU's gradient as one kernel, `dx = dy where x > 0, else dy·0` (NaN where
 * x is NaN), where a backend registers it (convkit's wasm and native ones).
 * tfjs' gradient is `dy · cast(step(x))`: three kernels and two passes over
 * the activation per ReLU. The result is the same to the bit: `dy·1` is
 * `dy`, `dy·0` keeps dy's sign and turns ±Infinity/NaN into NaN, and tfjs'
 * Step gives NaN for NaN.
 */
export const RELU_GRAD = 'ConvkitReluGrad';

/** dy through a ReLU whose input was x: the fused kernel where the backend has it, tfjs' formula elsewhere. */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  const fused =
    dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined;
  if (fused) return tf.engine().runKernel(RELU_GRAD, { dy, x }) as tf.Tensor;
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** Replaces tfjs' gradient of Relu (same inputs saved, same values). */
export const reluGradConfig: tf.GradConfig = {
  kernelName: tf.Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved as [tf.Tensor];
    return { x: () => reluGrad(dy as tf.Tensor, x) };
  },
};

/**
 * The fused kernel's own gradient, so that a second derivative through a
 * ReLU works as it does with tfjs' formula: linear in dy, and zero in x
 * (Step's gradient is zero).
 */
export const reluGradGradConfig: tf.GradConfig = {
  kernelName: RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddx, saved) => {
    const [x] = saved as [tf.Tensor];
    return { dy: () => reluGrad(ddx as tf.Tensor, x), x: () => tf.zerosLike(x) };
  },
};
