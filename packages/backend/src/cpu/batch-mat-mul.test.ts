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

describe('cpu BatchMatMul', () => {
  cpuBackendWithoutLeaks();

  it('multiplies hand-worked matrices, transposed or not', () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2]);
    const products = [
      tf.matMul(a, b),
      tf.matMul(a, b, true),
      tf.matMul(a, b, false, true),
      tf.matMul(a, b, true, true),
    ];
    expect(products.map((p) => [...p.dataSync()])).toEqual([
      [19, 22, 43, 50],
      [26, 30, 38, 44],
      [17, 23, 39, 53],
      [23, 31, 34, 46],
    ]);
    tf.dispose([a, b, ...products]);
  });

  it('matches the stock kernel on random shapes, transposes and broadcast batches', () => {
    const random = seededRandom(17);
    for (let trial = 0; trial < 40; trial++) {
      const big = trial < 4;
      const m = big ? randomInt(random, 60, 140) : randomInt(random, 1, 9);
      const n = big ? randomInt(random, 500, 600) : randomInt(random, 1, 9);
      const k = big ? randomInt(random, 250, 300) : randomInt(random, 1, 9);
      const transposeA = random() < 0.5;
      const transposeB = random() < 0.5;
      const batch = big ? 1 : randomInt(random, 1, 3);
      // a batch of 1 (or no batch axis) broadcasts against b's batch, and the other way round.
      const aBatch = trial % 3 === 1 ? [1] : trial % 3 === 2 ? [] : [batch];
      const bBatch = trial % 3 === 2 ? [batch] : trial % 4 === 3 ? [1] : [batch];
      const aShape = [...aBatch, ...(transposeA ? [k, m] : [m, k])];
      const bShape = [...bBatch, ...(transposeB ? [n, k] : [k, n])];
      const av = randomValues(
        random,
        aShape.reduce((p, q) => p * q, 1),
      );
      const bv = randomValues(
        random,
        bShape.reduce((p, q) => p * q, 1),
      );
      const run = () => tf.matMul(tf.tensor(av, aShape), tf.tensor(bv, bShape), transposeA, transposeB);
      const [stock] = runWith('stock', run) as [Float32Array];
      const [ours] = runWith('convkit', run) as [Float32Array];
      const label = JSON.stringify({ aShape, bShape, transposeA, transposeB });
      expect(maxRelativeError(ours, stock), label).toBeLessThan(1e-4);
    }
  });

  it('keeps int32 products int32 and exact', () => {
    const a = tf.tensor2d([1, -2, 3, 4], [2, 2], 'int32');
    const b = tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32');
    const product = tf.matMul(a, b);
    expect(product.dtype).toBe('int32');
    expect([...product.dataSync()]).toEqual([-9, -10, 43, 50]);
    tf.dispose([a, b, product]);
  });

  it('rejects mismatched inner dimensions', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4, 2]);
    expect(() => tf.engine().runKernel(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false })).toThrow(
      /inner dimensions 3 and 4/,
    );
    tf.dispose([a, b]);
  });
});
