import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, startNative } from '../../test/harness.js';
import { axisRuns } from './reduce.js';

const ready = await startNative();

describe('axisRuns', () => {
  it('merges neighbouring axes of the same kind and drops size-1 axes', () => {
    expect(Array.from(axisRuns([64, 28, 28, 6], [0, 1, 2]))).toEqual([50176, 1, 6, 0]);
    expect(Array.from(axisRuns([2, 1, 3, 4], [1, 3]))).toEqual([6, 0, 4, 1]);
    expect(Array.from(axisRuns([1, 1], [0]))).toEqual([]);
  });
});

const cases: [number[], number[] | number, boolean][] = [
  [[64, 28, 28, 6], [0, 1, 2], false],
  [[5, 7], 1, true],
  [[5, 7], 0, false],
  [[2, 3, 4, 5], [1, 3], false],
  [[2, 3, 4, 5], [0, 2], true],
  [[1, 1, 3], [0, 1], false],
  [[4, 1, 1], [1, 2], false],
  [[400, 300], [0, 1], false],
];

describe.skipIf(!ready)('native Sum vs tfjs cpu', () => {
  it.each(cases)('sum of [%j] over %j (keepDims %s)', async (shape, axes, keepDims) => {
    await expectSameAsCpu(() => tf.sum(tf.randomNormal(shape, 0, 1, 'float32', 1), axes, keepDims), {
      kernels: ['Sum'],
      rtol: 1e-4,
      atol: 1e-3,
    });
  });
});

describe.skipIf(!ready)('native Mean vs tfjs cpu', () => {
  it.each(cases)('mean of [%j] over %j (keepDims %s)', async (shape, axes, keepDims) => {
    await expectSameAsCpu(() => tf.mean(tf.randomNormal(shape, 0, 1, 'float32', 2), axes, keepDims), {
      kernels: ['Mean'],
      rtol: 1e-4,
      atol: 1e-5,
    });
  });

  it("gives tf.moments the cpu's mean and variance over N·H·W, as batch norm asks", async () => {
    await expectSameAsCpu(
      () => {
        const { mean, variance } = tf.moments(tf.randomNormal([16, 14, 14, 8], 0.5, 2, 'float32', 4), [0, 1, 2]);
        return [mean, variance];
      },
      { kernels: ['Mean'], rtol: 1e-4, atol: 1e-5 },
    );
  });
});

// native/reduce.cc sumRows: a [rows, width] sum over rows in lanes of whole rows (a multiple of 8, at least 64),
// then folded to `width`; threaded past 128K elements. Narrow, odd, wide and uneven row counts.
describe.skipIf(!ready)('native Sum over leading axes (bias gradients) vs tfjs cpu', () => {
  it.each([
    [[64, 10, 10, 16]],
    [[64, 28, 28, 6]],
    [[7, 3]],
    [[13, 5]],
    [[3, 1, 1, 10]],
    [[64, 84]],
    [[257, 7]],
    [[9000, 33]],
    [[2, 300]],
  ])('sum of [%j] over every axis but the last', async (shape) => {
    await expectSameAsCpu(
      () =>
        tf.sum(
          tf.randomNormal(shape, 0, 1, 'float32', 3),
          shape.slice(0, -1).map((_, i) => i),
        ),
      { kernels: ['Sum'], rtol: 1e-5, atol: 1e-4 },
    );
  });
});
