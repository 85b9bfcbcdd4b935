import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';

const available = await startCuda();

/** [depthRadius, bias, alpha, beta]: AlexNet's, the other betas with shortcuts, a general one, big radii. */
const lrnCases: [number, number, number, number][] = [
  [2, 2, 1e-4, 0.75],
  [2, 1, 0.3, 0.75],
  [1, 1, 0.5, 0.5],
  [3, 0.5, 0.2, 1],
  [2, 1.5, 0.25, 0.6],
  [0, 1, 1, 0.5],
  [9, 1, 0.1, 0.75], // the window spans every channel
];

describe.skipIf(!available)('cuda normalization (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('LRN across channels: AlexNet parameters, betas 0.5/0.75/1/other, radius 0 and wider than C', async () => {
    for (const [i, [radius, bias, alpha, beta]] of lrnCases.entries()) {
      await expectSameOnCuda(
        () =>
          tf.localResponseNormalization(
            seededTensor(600 + i, [2, 3, 4, 7], -2, 2) as tf.Tensor4D,
            radius,
            bias,
            alpha,
            beta,
          ),
        { rtol: 2e-5, atol: 1e-6, gpuKernels: ['LRN'] },
      );
    }
    await expectSameOnCuda(
      () => tf.localResponseNormalization(seededTensor(610, [3, 5, 16]) as tf.Tensor3D, 2, 2, 1e-4, 0.75),
      { rtol: 2e-5, gpuKernels: ['LRN'] },
    );
  });

  it('LRN gradient (tf.grad) for the same parameters', async () => {
    for (const [i, [radius, bias, alpha, beta]] of lrnCases.entries()) {
      const x = seededTensor(700 + i, [2, 3, 2, 7], -2, 2) as tf.Tensor4D;
      const dy = seededTensor(720 + i, [2, 3, 2, 7]);
      await expectSameOnCuda(
        () =>
          tf.grad((t: tf.Tensor) => tf.localResponseNormalization(t as tf.Tensor4D, radius, bias, alpha, beta))(x, dy),
        { rtol: 1e-4, atol: 1e-5, gpuKernels: ['LRNGrad'] },
      );
      tf.dispose([x, dy]);
    }
  });

  it('batch norm, 4-D x: per-channel statistics with and without offset and scale', async () => {
    const x = seededTensor(800, [2, 3, 4, 5], -3, 3) as tf.Tensor4D;
    const mean = seededTensor(801, [5]);
    const variance = seededTensor(802, [5], 0.1, 2);
    const offset = seededTensor(803, [5]);
    const scale = seededTensor(804, [5], 0.5, 2);
    await expectSameOnCuda(
      () => [
        tf.batchNorm(x, mean, variance),
        tf.batchNorm(x, mean, variance, offset),
        tf.batchNorm(x, mean, variance, undefined, scale),
        tf.batchNorm(x, mean, variance, offset, scale, 0.01),
      ],
      { rtol: 1e-5, atol: 1e-5, gpuKernels: ['FusedBatchNorm'] },
    );
    tf.dispose([x, mean, variance, offset, scale]);
  });

  it('batch norm, 2-D and 1-D x, scalar and full-size statistics, mixed lengths', async () => {
    const x2 = seededTensor(810, [6, 5], -3, 3) as tf.Tensor2D;
    await expectSameOnCuda(
      () => [
        tf.batchNorm(x2, seededTensor(811, [5]), seededTensor(812, [5], 0.1, 2), seededTensor(813, [5])),
        tf.batchNorm(x2, tf.scalar(0.25), tf.scalar(1.5), tf.scalar(-1), tf.scalar(2)),
        tf.batchNorm(x2, seededTensor(814, [6, 5]), seededTensor(815, [6, 5], 0.1, 2)),
        tf.batchNorm(
          x2,
          seededTensor(816, [5]),
          seededTensor(817, [1], 0.1, 2),
          seededTensor(818, [1]),
          seededTensor(819, [5]),
        ),
        tf.batchNorm(seededTensor(820, [7]) as tf.Tensor1D, seededTensor(821, [7]), seededTensor(822, [7], 0.1, 2)),
      ],
      { rtol: 1e-5, atol: 1e-5, gpuKernels: ['FusedBatchNorm'] },
    );
    x2.dispose();
  });

  it('the bindings refuse bad arguments with messages that repeat them', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    // y, x, pixels, channels, radius, bias, alpha, beta
    const addon = backend.addon as unknown as { lrn(...args: number[]): void };
    const x = tf.zeros([1, 2, 2, 4]);
    expect(() => addon.lrn(backend.pointer(x), backend.pointer(x), 4, 4, -1, 1, 1, 0.5)).toThrow(
      /lrn: radius must be a whole number in \[0, 2147483647\], received -1/,
    );
    expect(() => addon.lrn(backend.pointer(x), backend.pointer(x), 4, 1000, 2, 1, 1, 0.5)).toThrow(
      /\(argument [01]\) is too small: needs 4000 elements/,
    );
    x.dispose();
  });
});
