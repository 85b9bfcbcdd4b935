import * as tf from '@tensorflow/tfjs-core';
import { describe, it } from 'vitest';
import { expectSameAsCpu, startNative } from '../../test/harness.js';

const ready = await startNative();

const pairs: [number[], number[]][] = [
  [
    [2, 3, 4],
    [2, 3, 4],
  ],
  [[64, 28, 28, 6], [6]],
  // Short repeats go through a copy repeated to a multiple of 16 floats (native/elementwise.cc), with a tail.
  [[64, 10, 10, 16], [16]],
  [[5, 7, 7], [7]],
  [[3, 11, 13], [13]],
  [[4, 120], [120]],
  [[9, 300], [300]],
  [[5], [5, 3, 5]],
  [[6], [8, 5, 5, 6]],
  [[3, 4], []],
  [[], [5]],
  [
    [2, 1, 4],
    [3, 4],
  ], // neither repeats along leading axes only: the cpu kernel runs
  [
    [300, 300],
    [300, 300],
  ],
];

describe.skipIf(!ready)('native element-wise kernels vs tfjs cpu', () => {
  it.each(pairs)('add, sub, mul, div of [%j] and [%j]', async (a, b) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal(a, 0, 1, 'float32', 1);
        const y = tf.randomUniform(b, 0.5, 2, 'float32', 2);
        return [tf.add(x, y), tf.sub(x, y), tf.mul(x, y), tf.div(x, y), tf.sub(y, x)];
      },
      { kernels: ['Add', 'Sub', 'Multiply', 'RealDiv'] },
    );
  });

  it('activations and Step (ReLU gradient), NaN passing through', async () => {
    await expectSameAsCpu(
      () => {
        const x = tf.concat([tf.randomNormal([40000], 0, 3, 'float32', 3), tf.tensor1d([Number.NaN, 0, -0])]);
        const relu = tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.relu(xi), 3)))(x);
        return [tf.relu(x), tf.relu6(x), tf.elu(x), tf.sigmoid(x), tf.leakyRelu(x, 0.1), tf.step(x, 0.25), relu];
      },
      { kernels: ['Relu', 'Relu6', 'Elu', 'Sigmoid', 'LeakyRelu', 'Step'], rtol: 1e-5, atol: 1e-6 },
    );
  });

  it('int32 arithmetic stays on the cpu kernels', async () => {
    await expectSameAsCpu(() => tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')));
  });
});
