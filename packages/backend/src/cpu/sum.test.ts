import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  cpuBackendWithoutLeaks,
  maxRelativeError,
  randomInt,
  randomValues,
  runWith,
  seededRandom,
} from '../../test/cpu-kernels.js';

describe('cpu Sum', () => {
  cpuBackendWithoutLeaks();

  it('sums hand-worked matrices over rows, columns, both and none', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const sums = [tf.sum(x, 0), tf.sum(x, 1), tf.sum(x), tf.sum(x, [], true), tf.sum(x, 1, true)];
    expect(sums.map((s) => [...s.dataSync()])).toEqual([[5, 7, 9], [6, 15], [21], [1, 2, 3, 4, 5, 6], [6, 15]]);
    expect(sums.map((s) => s.shape)).toEqual([[3], [2], [], [2, 3], [2, 1]]);
    tf.dispose([x, ...sums]);
  });

  it('sums int32 and bool tensors to int32, as tfjs does', () => {
    const ints = tf.tensor1d([1, -2, 7], 'int32');
    const flags = tf.tensor1d([true, false, true], 'bool');
    const sums = [tf.sum(ints), tf.sum(flags)];
    expect(sums.map((s) => [s.dtype, ...s.dataSync()])).toEqual([
      ['int32', 6],
      ['int32', 2],
    ]);
    tf.dispose([ints, flags, ...sums]);
  });

  it('matches the stock kernel on random shapes, axes (negative too) and keepDims', () => {
    const random = seededRandom(23);
    for (let trial = 0; trial < 60; trial++) {
      const rank = randomInt(random, 0, 5);
      const shape = Array.from({ length: rank }, () => randomInt(random, 1, 6));
      const axes = shape.map((_, axis) => axis).filter(() => random() < 0.5);
      const axis = axes.length === 1 && random() < 0.5 ? (axes[0] as number) - rank : axes;
      const keepDims = random() < 0.3;
      const dtype = trial % 5 === 0 ? 'int32' : 'float32';
      const values = randomValues(
        random,
        shape.reduce((p, q) => p * q, 1),
      ).map((v) => (dtype === 'int32' ? Math.round(v * 9) : v));
      const run = () => {
        const total = tf.sum(tf.tensor(values, shape, dtype), axis, keepDims);
        expect(total.dtype).toBe(dtype);
        return [total, tf.tensor(total.shape)];
      };
      const stock = runWith('stock', run);
      const ours = runWith('convkit', run);
      const label = JSON.stringify({ shape, axis, keepDims, dtype });
      expect([...(ours[1] as Float32Array)], label).toEqual([...(stock[1] as Float32Array)]);
      expect(maxRelativeError(ours[0] as Float32Array, stock[0] as Float32Array), label).toBeLessThan(1e-5);
    }
  });

  it('sums a bias gradient (NHWC over N, H, W) like a plain loop', () => {
    const random = seededRandom(1);
    const values = randomValues(random, 4 * 5 * 6 * 3);
    const total = tf.tidy(() => tf.sum(tf.tensor4d(values, [4, 5, 6, 3]), [0, 1, 2]));
    const expected = [0, 0, 0];
    values.forEach((v, i) => {
      expected[i % 3] = (expected[i % 3] as number) + v;
    });
    expect(maxRelativeError(total.dataSync(), expected)).toBeLessThan(1e-6);
    total.dispose();
  });
});
