import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { isLastAxisBias } from './bias-add.js';

/** a + b on a backend, with its values and shape. */
async function addOn(backend: string, a: tf.Tensor, b: tf.Tensor): Promise<{ values: number[]; shape: number[] }> {
  await tf.setBackend(backend);
  const [ha, hb] = [tf.tensor(await a.data(), a.shape, a.dtype), tf.tensor(await b.data(), b.shape, b.dtype)];
  const out = tf.add(ha, hb);
  const result = { values: Array.from(await out.data()), shape: out.shape };
  tf.dispose([ha, hb, out]);
  return result;
}

function info(shape: number[]): tf.TensorInfo {
  return { dataId: {}, shape, dtype: 'float32' };
}

describe('wasm Add', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('leaves the stock Add working when the stock kernels are asked for, and back', async () => {
    await tf.setBackend('cpu');
    const [x, bias] = [tf.tensor(seeded(24, 5), [4, 6]), tf.tensor(seeded(6, 6))];
    const cpu = await addOn('cpu', x, bias);
    await initBackend('wasm', { kernels: 'stock' });
    expect(await addOn('wasm', x, bias)).toEqual(cpu);
    await initBackend('wasm');
    expect(await addOn('wasm', x, bias)).toEqual(cpu);
    await tf.setBackend('cpu');
    tf.dispose([x, bias]);
  });

  it('recognizes a bias along the last axis, and nothing else', () => {
    expect(isLastAxisBias(info([64, 28, 28, 6]), info([6]))).toBe(true);
    expect(isLastAxisBias(info([64, 84]), info([1, 84]))).toBe(true);
    expect(isLastAxisBias(info([2, 3, 4]), info([1, 1, 4]))).toBe(true);
    expect(isLastAxisBias(info([2, 3, 4]), info([3, 4]))).toBe(false); // a [3, 4] table, not a bias
    expect(isLastAxisBias(info([2, 3, 4]), info([3, 1]))).toBe(false);
    expect(isLastAxisBias(info([4]), info([4]))).toBe(false); // same shape: the stock kernel
    expect(isLastAxisBias(info([1, 4]), info([4]))).toBe(false); // one row: the stock kernel
    expect(isLastAxisBias(info([6]), info([64, 6]))).toBe(false);
  });

  it('gives tfjs-cpu’s sums to the bit for a bias on either side, and the stock results otherwise', async () => {
    const cases: [number[], number[], tf.DataType?][] = [
      [[4, 28, 28, 6], [6]], // LeNet-5's first convolution
      [[6], [3, 5, 5, 6]], // bias first
      [[2, 100, 100, 3], [3]], // the repeated row stops at 3·100: 3·100·100 is over its limit
      [[3, 7, 5], [5]], // a row of 35, not a power of two times 5
      [
        [64, 84],
        [1, 84],
      ],
      [
        [2, 3, 4],
        [1, 1, 4],
      ],
      [
        [2, 3, 4],
        [2, 3, 4],
      ], // same shape
      [
        [2, 3, 4],
        [3, 1],
      ], // another broadcast
      [[2, 3, 4], [4], 'int32'],
      [[5], []], // scalar
    ];
    for (const [i, [shapeA, shapeB, dtype = 'float32']] of cases.entries()) {
      const make = (shape: number[], seed: number) => {
        const values = seeded(tf.util.sizeFromShape(shape), seed).map((v) =>
          dtype === 'int32' ? Math.round(v * 9) : v,
        );
        return tf.tensor(values, shape, dtype);
      };
      await tf.setBackend('cpu');
      const [a, b] = [make(shapeA, 10 + i), make(shapeB, 20 + i)];
      const cpu = await addOn('cpu', a, b);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const wasm = await addOn('wasm', a, b);
      expect(tf.memory().numTensors).toBe(before);
      expect(wasm, `${shapeA} + ${shapeB} ${dtype}`).toEqual(cpu);
      await tf.setBackend('cpu');
      tf.dispose([a, b]);
    }
  });

  it('adds infinities and NaN as IEEE does', async () => {
    await tf.setBackend('cpu');
    const x = tf.tensor([1, Number.POSITIVE_INFINITY, Number.NaN, -3, 2, -0], [3, 2]);
    const bias = tf.tensor([Number.NEGATIVE_INFINITY, -0]);
    const cpu = await addOn('cpu', x, bias);
    const wasm = await addOn('wasm', x, bias);
    expect(wasm).toEqual(cpu);
    expect(Object.is(wasm.values[5], -0)).toBe(true);
    await tf.setBackend('cpu');
    tf.dispose([x, bias]);
  });
});
