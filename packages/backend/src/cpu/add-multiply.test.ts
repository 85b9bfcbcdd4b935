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

describe('cpu Add and Multiply', () => {
  cpuBackendWithoutLeaks();

  it('adds and multiplies hand-worked tensors: same shape, a bias row, a column, a scalar', () => {
    const values = tf.tidy(() => {
      const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const results = [
        tf.add(x, x),
        tf.add(x, tf.tensor1d([10, 20, 30])),
        tf.mul(tf.tensor2d([2, 3], [2, 1]), x),
        tf.mul(x, tf.scalar(0.5)),
        tf.add(tf.scalar(1), x),
      ];
      return results.map((r) => [...r.dataSync()]);
    });
    expect(values).toEqual([
      [2, 4, 6, 8, 10, 12],
      [11, 22, 33, 14, 25, 36],
      [2, 4, 6, 12, 15, 18],
      [0.5, 1, 1.5, 2, 2.5, 3],
      [2, 3, 4, 5, 6, 7],
    ]);
  });

  it('matches the stock kernels on random broadcast shapes, float32 and int32', () => {
    const random = seededRandom(41);
    for (let trial = 0; trial < 60; trial++) {
      const rank = randomInt(random, 0, 4);
      const outShape = Array.from({ length: rank }, () => randomInt(random, 1, 5));
      // Each operand drops some leading axes and sets some others to 1.
      const operand = () => outShape.slice(randomInt(random, 0, rank)).map((dim) => (random() < 0.3 ? 1 : dim));
      const aShape = operand();
      const bShape = operand();
      const dtype = trial % 4 === 0 ? 'int32' : 'float32';
      const values = (shape: number[]) =>
        randomValues(
          random,
          shape.reduce((p, q) => p * q, 1),
        ).map((v) => (dtype === 'int32' ? Math.round(v * 50) : v));
      const av = values(aShape);
      const bv = values(bShape);
      const run = () => {
        const a = tf.tensor(av, aShape, dtype);
        const b = tf.tensor(bv, bShape, dtype);
        return [tf.add(a, b), tf.mul(a, b), tf.mul(b, a)];
      };
      const stock = runWith('stock', run);
      const ours = runWith('convkit', run);
      ours.forEach((result, i) => {
        expect(maxRelativeError(result, stock[i] as Float32Array), JSON.stringify({ aShape, bShape, dtype, i })).toBe(
          0,
        );
      });
    }
  });

  it('refuses complex numbers with a message that says what to do', () => {
    const z = tf.complex([1, 2], [3, 4]);
    expect(() => tf.add(z, z)).toThrow(/kernels: 'stock'/);
    z.dispose();
  });
});
