import * as tf from '@tensorflow/tfjs-core';

/**
 * `tf.customGrad` for one input, typed for strict mode: tfjs types the
 * callback's arguments as one rest array of tensors and the save function,
 * so each pool with a hand-written gradient would otherwise repeat the casts.
 */
export function customGrad1(
  f: (
    x: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor },
): (x: tf.Tensor) => tf.Tensor {
  const g = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) =>
    f(args[0] as tf.Tensor, args[1] as tf.GradSaveFunc),
  );
  return (x) => g(x);
}
