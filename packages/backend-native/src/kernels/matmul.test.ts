import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { expectSameAsCpu, seeded, startNative } from '../../test/harness.js';

const ready = await startNative();

function product(seed: number) {
  const r = seeded(seed);
  const batch = [[], [r(1, 4)], [2, r(1, 3)]][r(0, 2)] as number[];
  // One side may carry a single matrix for the whole batch (a dense layer's weights).
  const broadcast = r(0, 2);
  return {
    batch,
    broadcast,
    m: r(1, 40),
    n: r(1, 40),
    k: r(1, 40),
    transposeA: r(0, 1) === 1,
    transposeB: r(0, 1) === 1,
    seed,
  };
}

const cases = Array.from({ length: 24 }, (_, i) => product(3000 + i));

describe.skipIf(!ready)('native matrix products vs tfjs cpu', () => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('matMul and its gradients %s', async (_, c) => {
    await expectSameAsCpu(
      () => {
        const aBatch = c.broadcast === 1 ? [] : c.batch;
        const bBatch = c.broadcast === 2 ? [] : c.batch;
        const a = tf.randomNormal([...aBatch, ...(c.transposeA ? [c.k, c.m] : [c.m, c.k])], 0, 1, 'float32', c.seed);
        const b = tf.randomNormal(
          [...bBatch, ...(c.transposeB ? [c.n, c.k] : [c.k, c.n])],
          0,
          1,
          'float32',
          c.seed + 1,
        );
        const f = (ai: tf.Tensor, bi: tf.Tensor) => tf.matMul(ai, bi, c.transposeA, c.transposeB);
        const y = f(a, b);
        const r = tf.randomNormal(y.shape, 0, 1, 'float32', c.seed + 2);
        // tfjs-core's BatchMatMul gradient does not reduce a broadcast batch: gradients only without one.
        if (c.broadcast !== 0) return [y];
        return [y, ...tf.grads((ai: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(f(ai, bi), r)))([a, b])];
      },
      { kernels: ['BatchMatMul'], rtol: 1e-4, atol: 1e-4 },
    );
  });

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const)(
    'fused matMul with bias and %s',
    async (activation) => {
      await expectSameAsCpu(
        () => {
          const a = tf.randomNormal([17, 30], 0, 1, 'float32', 1) as tf.Tensor2D;
          const b = tf.randomNormal([12, 30], 0, 1, 'float32', 2) as tf.Tensor2D;
          const bias = tf.randomNormal([12], 0, 1, 'float32', 3);
          return tf.fused.matMul({ a, b, transposeB: true, bias, activation, leakyreluAlpha: 0.3 });
        },
        { kernels: ['_FusedMatMul'] },
      );
    },
  );

  // native/matmul.cc runs products up to 4M multiply-adds on one thread (a primitive made for one thread), larger ones
  // on the team: LeNet's fc1 and its two gradients, then the same layer at 2.5× the width.
  it.each([
    [64, 120, 400, false, false],
    [64, 400, 120, false, true],
    [400, 120, 64, true, false],
    [64, 300, 400, false, false],
    [400, 300, 64, true, false],
  ] as const)(
    'M %i N %i K %i (transposeA %s, transposeB %s) on either side of the one-thread limit',
    async (m, n, k, ta, tb) => {
      await expectSameAsCpu(
        () =>
          tf.matMul(
            tf.randomNormal(ta ? [k, m] : [m, k], 0, 1, 'float32', 4),
            tf.randomNormal(tb ? [n, k] : [k, n], 0, 1, 'float32', 5),
            ta,
            tb,
          ),
        { kernels: ['BatchMatMul'], rtol: 1e-3, atol: 1e-3 },
      );
    },
  );

  it('a large product runs threaded (VGG-16 fc7 at batch 2)', async () => {
    await expectSameAsCpu(
      () =>
        tf.matMul(tf.randomNormal([2, 4096], 0, 1, 'float32', 1), tf.randomNormal([4096, 512], 0, 0.02, 'float32', 2)),
      { kernels: ['BatchMatMul'], rtol: 1e-3, atol: 1e-3 },
    );
  });
});
