import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { expectSameAsCpu, seeded, startNative } from '../../test/harness.js';

const ready = await startNative();

const lrnCases = Array.from({ length: 10 }, (_, i) => {
  const r = seeded(4000 + i);
  return {
    shape: [r(1, 3), r(1, 6), r(1, 6), r(1, 24)] as [number, number, number, number],
    radius: r(0, 5),
    bias: [1, 2, 0.5][r(0, 2)] as number,
    alpha: [1e-4, 0.1, 1][r(0, 2)] as number,
    beta: [0.75, 0.5, 1][r(0, 2)] as number,
    seed: 4000 + i,
  };
});

describe.skipIf(!ready)('native normalization vs tfjs cpu', () => {
  it.each(lrnCases.map((c) => [JSON.stringify(c), c] as const))('LRN forward and gradient %s', async (_, c) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal(c.shape, 0, 2, 'float32', c.seed) as tf.Tensor4D;
        const f = (xi: tf.Tensor) =>
          tf.localResponseNormalization(xi as tf.Tensor4D, c.radius, c.bias, c.alpha, c.beta);
        const r = tf.randomNormal(c.shape, 0, 1, 'float32', c.seed + 1);
        return [f(x), tf.grad((xi) => tf.sum(tf.mul(f(xi), r)))(x)];
      },
      { kernels: ['LRN', 'LRNGrad'], rtol: 1e-3, atol: 1e-4 },
    );
  });

  it('batch norm per channel, with and without scale and offset, and its gradients', async () => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([4, 5, 5, 7], 3, 2, 'float32', 1);
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const scale = tf.randomNormal([7], 1, 0.2, 'float32', 2);
        const offset = tf.randomNormal([7], 0, 1, 'float32', 3);
        const f = (xi: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => {
          const m = tf.moments(xi, [0, 1, 2]);
          return tf.sum(tf.square(tf.batchNorm(xi, m.mean, m.variance, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3)));
        };
        return [
          tf.batchNorm(x, mean, variance, offset, scale, 1e-3),
          tf.batchNorm(x, mean, variance, undefined, undefined, 1e-5),
          ...tf.grads(f)([x, scale, offset]),
        ];
      },
      { kernels: ['FusedBatchNorm'], rtol: 1e-3, atol: 1e-3 },
    );
  });

  it('batch norm with parameters that broadcast over more than the channels (tfjs indexes them modulo their size)', async () => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 1);
        const mean = tf.randomNormal([3, 4], 0, 1, 'float32', 2);
        const variance = tf.randomUniform([3, 4], 0.5, 2, 'float32', 3);
        const scale = tf.randomNormal([3, 4], 1, 0.1, 'float32', 4);
        return tf.batchNorm(x, mean, variance, undefined, scale, 0.01);
      },
      { kernels: ['FusedBatchNorm'] },
    );
  });
});
