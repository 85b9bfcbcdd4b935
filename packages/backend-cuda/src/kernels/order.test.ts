// The kernels must not depend on the order in which blocks run, or threads
// between barriers: on a GPU it is unspecified. Here the emulator runs them
// last to first (CONVKIT_CUDA_EMULATE_ORDER=reverse) over the paths where
// blocks share work — split K with atomics, split reductions, gathered
// gradients — and the results must still match tfjs' cpu kernels.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import { forceGemmPlan } from './matmul.js';

// Read by the emulator at every launch; set before the backend starts.
process.env.CONVKIT_CUDA_EMULATE_ORDER = 'reverse';
const available = await startCuda();

describe.skipIf(!available)('cuda kernels with blocks and threads run last to first', () => {
  afterEach(() => forceGemmPlan());
  const rtol = 1e-4;
  const atol = 1e-4;

  it('matrix products and convolutions, K split across blocks', async () => {
    for (const [tile, splits] of [
      [0, 1],
      [1, 3],
      [2, 2],
    ] as const) {
      forceGemmPlan(tile, splits);
      await expectSameOnCuda(() => tf.matMul(seededTensor(1, [37, 70]), seededTensor(2, [70, 45])), {
        rtol,
        atol,
        gpuKernels: ['BatchMatMul'],
      });
      const x = seededTensor(3, [2, 9, 9, 5]);
      const filter = seededTensor(4, [3, 3, 5, 7]);
      await expectSameOnCuda(
        () => {
          const [dx, dw] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
            tf
              .conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')
              .square()
              .sum(),
          )([x, filter]);
          return [dx as tf.Tensor, dw as tf.Tensor];
        },
        { rtol, atol, gpuKernels: ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'] },
      );
      tf.dispose([x, filter]);
    }
  });

  it('reductions split into passes, softmax, pooling and LRN gradients, depthwise filter gradient', async () => {
    const long = seededTensor(5, [3, 5000]);
    await expectSameOnCuda(() => [tf.sum(long, 1), tf.max(long, 0), tf.argMax(long, 1), tf.softmax(long)], {
      rtol,
      atol,
      gpuKernels: ['Sum', 'Max', 'ArgMax', 'Softmax'],
    });
    const tall = seededTensor(6, [4000, 3]);
    await expectSameOnCuda(() => [tf.sum(tall, 0), tf.mean(tall, 0), tf.min(tall, 0)], { rtol, atol });
    const x = seededTensor(7, [2, 11, 11, 6]);
    await expectSameOnCuda(
      () => [
        tf.grad((a: tf.Tensor) =>
          tf
            .maxPool(a as tf.Tensor4D, 3, 2, 'valid')
            .square()
            .sum(),
        )(x),
        tf.grad((a: tf.Tensor) =>
          tf
            .avgPool(a as tf.Tensor4D, 3, 2, 'same')
            .square()
            .sum(),
        )(x),
        tf.grad((a: tf.Tensor) =>
          tf
            .localResponseNormalization(a as tf.Tensor4D, 2, 2, 1e-4, 0.75)
            .square()
            .sum(),
        )(x),
      ],
      { rtol, atol, gpuKernels: ['MaxPoolGrad', 'AvgPoolGrad', 'LRNGrad'] },
    );
    const big = seededTensor(8, [4, 40, 40, 4]);
    const depthwise = seededTensor(9, [3, 3, 4, 2]);
    await expectSameOnCuda(
      () =>
        tf.grad((w: tf.Tensor) =>
          tf
            .depthwiseConv2d(big as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')
            .square()
            .sum(),
        )(depthwise),
      { rtol: 1e-3, atol: 1e-3, gpuKernels: ['DepthwiseConv2dNativeBackpropFilter'] },
    );
    tf.dispose([long, tall, x, big, depthwise]);
  });
});
