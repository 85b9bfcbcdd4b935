// The operations convkit's layers run, forward and backward, at small sizes:
// recording the kernels they reach (tf.profile) yields the kernel list that
// the coverage matrix checks on every backend.
import * as tf from '@tensorflow/tfjs-core';

/** Each layer family's forward pass and its gradient, as a scalar-valued closure. */
export const LAYER_OPS: Record<string, () => tf.Scalar> = {
  conv: () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    const w = tf.randomNormal([3, 3, 3, 4]);
    const b = tf.zeros([4]);
    const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
      tf.sum(tf.relu(tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 'same'), bi)));
    const dilated = (xi: tf.Tensor, wi: tf.Tensor) =>
      tf.sum(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'valid', 'NHWC', 2));
    tf.grads(f)([x, w, b]);
    tf.grads(dilated)([x, w]);
    return f(x, w, b) as tf.Scalar;
  },
  depthwiseConv: () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    const w = tf.randomNormal([3, 3, 3, 2]);
    const f = (xi: tf.Tensor, wi: tf.Tensor) =>
      tf.sum(tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 1, 'same'));
    tf.grads(f)([x, w]);
    return f(x, w) as tf.Scalar;
  },
  groupedConv: () => {
    const x = tf.randomNormal([1, 5, 5, 4]);
    const w = tf.randomNormal([3, 3, 2, 4]);
    const f = (xi: tf.Tensor, wi: tf.Tensor) => {
      const xs = tf.split(xi, 2, 3);
      const ws = tf.split(wi, 2, 3);
      return tf.sum(
        tf.concat(
          xs.map((p, g) => tf.conv2d(p as tf.Tensor4D, ws[g] as tf.Tensor4D, 1, 'same')),
          3,
        ),
      );
    };
    tf.grads(f)([x, w]);
    return f(x, w) as tf.Scalar;
  },
  pooling: () => {
    const x = tf.randomNormal([2, 6, 6, 3]);
    const f = (xi: tf.Tensor) => {
      const padded = tf.pad(xi, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      const max = tf.maxPool(xi as tf.Tensor4D, 3, 2, 'same');
      const avg = tf.avgPool(padded as tf.Tensor4D, 2, 2, 'valid');
      const l2 = tf.sqrt(tf.avgPool(tf.square(xi) as tf.Tensor4D, 2, 2, 'valid'));
      const global = tf.mean(xi, [1, 2]);
      const maxout = tf.max(tf.reshape(xi, [2, 6, 6, 1, 3]), 4);
      return tf.addN([tf.sum(max), tf.sum(avg), tf.sum(l2), tf.sum(global), tf.sum(maxout)]);
    };
    tf.grad(f)(x);
    return f(x) as tf.Scalar;
  },
  normalization: () => {
    const x = tf.randomNormal([2, 4, 4, 6]);
    const gamma = tf.ones([6]);
    const beta = tf.zeros([6]);
    const f = (xi: tf.Tensor, g: tf.Tensor, bt: tf.Tensor) => {
      const lrn = tf.localResponseNormalization(xi as tf.Tensor4D, 2, 2, 1e-4, 0.75);
      const { mean, variance } = tf.moments(xi, [0, 1, 2]);
      const bn = tf.batchNorm(xi, mean, variance, bt as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
      return tf.add(tf.sum(lrn), tf.sum(bn)) as tf.Scalar;
    };
    tf.grads(f)([x, gamma, beta]);
    return f(x, gamma, beta) as tf.Scalar;
  },
  activations: () => {
    const x = tf.randomNormal([4, 8]);
    const alpha = tf.fill([8], 0.25);
    const f = (xi: tf.Tensor, a: tf.Tensor) =>
      tf.addN([
        tf.sum(tf.relu6(xi)),
        tf.sum(tf.leakyRelu(xi, 0.1)),
        tf.sum(tf.elu(xi)),
        tf.sum(tf.selu(xi)),
        tf.sum(tf.sigmoid(xi)),
        tf.sum(tf.tanh(xi)),
        tf.sum(tf.softplus(xi)),
        tf.sum(tf.prelu(xi, a)),
      ]) as tf.Scalar;
    tf.grads(f)([x, alpha]);
    return f(x, alpha) as tf.Scalar;
  },
  dense: () => {
    const x = tf.randomNormal([4, 10]);
    const w = tf.randomNormal([10, 3]);
    const b = tf.zeros([3]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
      const logits = tf.add(tf.matMul(tf.reshape(xi, [4, 10]), wi as tf.Tensor2D), bi);
      const dropped = tf.dropout(logits, 0.5, undefined, 1);
      return tf.losses.softmaxCrossEntropy(labels, dropped) as tf.Scalar;
    };
    tf.grads(f)([x, w, b]);
    return f(x, w, b) as tf.Scalar;
  },
};

/** The kernels `body` runs (forward and backward), by name. */
export async function kernelsUsed(body: () => tf.Scalar): Promise<Set<string>> {
  const profile = await tf.profile(() => {
    const result = body();
    return result;
  });
  return new Set(profile.kernelNames);
}
