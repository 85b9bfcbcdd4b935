import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { heapOffset, simdKernels } from './simd/module.js';
import { leadingAxesSplit } from './sum.js';

/** Set when the whole run turned the SIMD kernels off: then only the stock route is there to test. */
const runWithoutSimd = process.env.CONVKIT_WASM_SIMD === '0';

afterEach(() => {
  if (runWithoutSimd) process.env.CONVKIT_WASM_SIMD = '0';
  else delete process.env.CONVKIT_WASM_SIMD;
});

function setSimd(on: boolean): void {
  if (on && !runWithoutSimd) delete process.env.CONVKIT_WASM_SIMD;
  else process.env.CONVKIT_WASM_SIMD = '0';
}

/** Σ over the leading `reduced` axes of a row-major array, in float64. */
function columnSums(values: ArrayLike<number>, shape: number[], reduced: number): Float64Array {
  const columns = tf.util.sizeFromShape(shape.slice(reduced));
  const sums = new Float64Array(columns);
  for (let i = 0; i < values.length; i++) sums[i % columns] = (sums[i % columns] ?? 0) + (values[i] ?? 0);
  return sums;
}

/** Largest |sum − oracle| over the column's Σ|x|: the scale a float32 sum's rounding error grows with. */
function errorPerAbsoluteSum(sums: ArrayLike<number>, values: ArrayLike<number>, shape: number[], reduced: number) {
  const exact = columnSums(values, shape, reduced);
  const absolute = columnSums(Array.from(values, Math.abs), shape, reduced);
  let worst = sums.length === exact.length ? 0 : Number.POSITIVE_INFINITY;
  for (let j = 0; j < exact.length; j++) {
    const error = Math.abs((sums[j] ?? Number.NaN) - (exact[j] ?? 0)) / Math.max(absolute[j] ?? 0, 1e-30);
    if (!(error <= worst)) worst = Number.isNaN(error) ? Number.POSITIVE_INFINITY : error;
  }
  return worst;
}

/** tf.sum on a backend, from host values: values, shape and dtype of the result. */
async function sumOn(backend: string, values: Float32Array, shape: number[], axis: number[], keepDims = false) {
  return sumTensor(backend, values, shape, 'float32', axis, keepDims);
}

async function sumTensor(
  backend: string,
  values: Float32Array | number[] | boolean[],
  shape: number[],
  dtype: tf.DataType,
  axis: number[] | undefined,
  keepDims: boolean,
) {
  await tf.setBackend(backend);
  const x = tf.tensor(values, shape, dtype);
  const out = tf.sum(x, axis, keepDims);
  const result = { values: Array.from(await out.data()), shape: out.shape, dtype: out.dtype };
  tf.dispose([x, out]);
  return result;
}

describe('wasm Sum', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('takes the column sum exactly for leading axes, some but not all, of a non-empty shape', () => {
    expect(leadingAxesSplit([64, 28, 28, 6], [0, 1, 2])).toEqual({ rows: 50176, columns: 6, reduced: 3 });
    expect(leadingAxesSplit([64, 28, 28, 6], [2, 0, 1])).toEqual({ rows: 50176, columns: 6, reduced: 3 });
    expect(leadingAxesSplit([64, 28, 28, 6], [-4, -3, -2])).toEqual({ rows: 50176, columns: 6, reduced: 3 });
    expect(leadingAxesSplit([64, 120], [0])).toEqual({ rows: 64, columns: 120, reduced: 1 });
    expect(leadingAxesSplit([0, 3], [0])).toEqual({ rows: 0, columns: 3, reduced: 1 });
    expect(leadingAxesSplit([64, 120], [1])).toBeUndefined();
    expect(leadingAxesSplit([64, 120], [0, 1])).toBeUndefined(); // all axes: the stock kernel, no transpose
    expect(leadingAxesSplit([4, 5, 6], [0, 2])).toBeUndefined();
    expect(leadingAxesSplit([4, 5, 6], [1, 2])).toBeUndefined();
    expect(leadingAxesSplit([4, 5, 6], [0, 0])).toBeUndefined();
    expect(leadingAxesSplit([4, 0], [0])).toBeUndefined();
  });

  it.skipIf(runWithoutSimd)('runs where the SIMD kernels are prepared', () => {
    expect(simdKernels(tf.engine().findBackend('wasm') as BackendWasm)).toBeDefined();
  });

  it('sums the leading axes as a float64 oracle does, keepDims or not, with and without the SIMD kernel', async () => {
    const cases: [number[], number[], boolean][] = [
      [[8, 28, 28, 6], [0, 1, 2], false], // LeNet-5's first bias gradient, a smaller batch
      [[16, 10, 10, 16], [0, 1, 2], false],
      [[64, 120], [0], false],
      [[64, 84], [0], true],
      [[64, 10], [0], false],
      [[5, 7, 17], [1, 0], true], // 17 columns: a vector strip and an overlapping last vector
      [[3, 19], [0], false],
      [[4, 5, 130], [0], false],
      [[33, 3, 1], [0, 1], false],
      [[6, 1], [-2], true],
      [[1, 9], [0], false],
      [[0, 3], [0], false],
    ];
    for (const simd of [true, false]) {
      for (const [i, [shape, axis, keepDims]] of cases.entries()) {
        const values = seeded(tf.util.sizeFromShape(shape), 500 + i);
        setSimd(simd);
        await tf.setBackend('wasm');
        const before = tf.memory().numTensors;
        const wasm = await sumOn('wasm', values, shape, axis, keepDims);
        expect(tf.memory().numTensors).toBe(before);
        const cpu = await sumOn('cpu', values, shape, axis, keepDims);
        const label = `${shape} over ${axis}${keepDims ? ' keepDims' : ''}, simd ${simd}`;
        expect(wasm.shape, label).toEqual(cpu.shape);
        expect(wasm.dtype, label).toBe('float32');
        expect(errorPerAbsoluteSum(wasm.values, values, shape, axis.length), label).toBeLessThan(1e-6);
      }
    }
  });

  it.skipIf(runWithoutSimd)('keeps a million rows as exact as a few (pairwise over blocks)', async () => {
    const shape = [1000, 1000, 3];
    // Positive values: their sum grows with the rows, and so would a running float32 sum's error.
    const values = seeded(tf.util.sizeFromShape(shape), 600).map((v) => (v + 1) / 2);
    const oracle = columnSums(values, shape, 2);
    const relative = (got: number[]) =>
      Math.max(...got.map((v, j) => Math.abs(v - (oracle[j] ?? 0)) / (oracle[j] ?? 1)));
    setSimd(true);
    const simd = relative((await sumOn('wasm', values, shape, [0, 1])).values);
    expect(simd).toBeLessThan(1e-6);
    // For the record: the stock kernel's running sum is ~40× less exact here (5e-6 against 1.2e-7).
    setSimd(false);
    const stock = relative((await sumOn('wasm', values, shape, [0, 1])).values);
    expect(stock).toBeGreaterThan(10 * simd);
  });

  it('hands every other Sum to the stock kernel, matching tfjs-cpu', async () => {
    const cases: [number[], number[] | undefined, tf.DataType, boolean][] = [
      [[4, 6, 6, 3], [1, 2], 'float32', false],
      [[4, 6, 6, 3], [3], 'float32', true],
      [[4, 6, 5], [0, 2], 'float32', false],
      [[4, 6, 5], undefined, 'float32', false], // all axes
      [[4, 6, 5], [0, 1, 2], 'float32', true],
      [[7, 5], [0], 'int32', false], // leading axes, but int32
      [[7, 5], [0], 'bool', true], // the op casts bool to int32
      [[3, 4], [1], 'int32', false],
    ];
    for (const [i, [shape, axis, dtype, keepDims]] of cases.entries()) {
      const random = seeded(tf.util.sizeFromShape(shape), 700 + i);
      const values =
        dtype === 'float32'
          ? Array.from(random)
          : dtype === 'int32'
            ? Array.from(random, (v) => Math.round(v * 50))
            : Array.from(random, (v) => v > 0);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const wasm = await sumTensor('wasm', values, shape, dtype, axis, keepDims);
      expect(tf.memory().numTensors).toBe(before);
      const cpu = await sumTensor('cpu', values, shape, dtype, axis, keepDims);
      const label = `${shape} ${dtype} over ${axis}`;
      expect([wasm.shape, wasm.dtype], label).toEqual([cpu.shape, cpu.dtype]);
      if (dtype === 'float32') expect(maxRelativeError(wasm.values, cpu.values), label).toBeLessThan(1e-5);
      else expect(wasm.values, label).toEqual(cpu.values);
    }
  });

  it('gives a bias its gradient through the column sum, as tfjs-cpu does', async () => {
    const [x, bias] = [seeded(2 * 6 * 6 * 5, 800), seeded(5, 801)];
    const biasGradient = async (backend: string) => {
      await tf.setBackend(backend);
      const [xt, bt] = [tf.tensor4d(x, [2, 6, 6, 5]), tf.tensor1d(bias)];
      const grad = tf.grad((b: tf.Tensor) => tf.add(xt, b).square().sum())(bt);
      const values = Array.from(await grad.data());
      tf.dispose([xt, bt, grad]);
      return values;
    };
    expect(maxRelativeError(await biasGradient('wasm'), await biasGradient('cpu'))).toBeLessThan(1e-5);
  });

  it.skipIf(runWithoutSimd)('writes the sums and nothing around them, and leaves x as it was', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('no SIMD kernels on the wasm backend');
    for (const [rows, columns] of [
      [1000, 1],
      [777, 6],
      [65, 17],
      [64, 84],
      [3, 130],
    ] as const) {
      const values = seeded(rows * columns, rows + columns);
      const x = tf.tensor(values);
      const guard = 16;
      const arena = tf.fill([columns + 2 * guard], 7.5);
      const scratch = simd.scratch(64 * 33 * 4);
      simd.fn('column_sum')(heapOffset(backend, x), heapOffset(backend, arena) + 4 * guard, rows, columns, scratch);
      const written = (await arena.data()) as Float32Array;
      const label = `[${rows}, ${columns}]`;
      const canaries = [...written.subarray(0, guard), ...written.subarray(guard + columns)];
      expect(canaries, `${label} canaries`).toEqual(new Array(2 * guard).fill(7.5));
      const sums = written.subarray(guard, guard + columns);
      expect(errorPerAbsoluteSum(sums, values, [rows, columns], 1), label).toBeLessThan(1e-6);
      expect(Array.from((await x.data()) as Float32Array)).toEqual(Array.from(values));
      tf.dispose([x, arena]);
    }
  });
});
