import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { differingBits, POOL_2X2_SHAPES, tieValues } from '../../test/float-classes.js';
import { seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { heapOffset, simdKernels } from './simd/module.js';

/** Set when the whole run turned the SIMD kernels off: then only the stock route is there to test. */
const runWithoutSimd = process.env.CONVKIT_WASM_SIMD === '0';

afterEach(() => {
  if (runWithoutSimd) process.env.CONVKIT_WASM_SIMD = '0';
  else delete process.env.CONVKIT_WASM_SIMD;
});

type Pool = { size: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' };
const TILED: Pool = { size: 2, strides: 2, pad: 'valid' };

/** tf.maxPool on a backend; on wasm through the SIMD kernel or, with `simd` false, the stock one. */
async function pool(backend: string, x: Float32Array, shape: number[], p = TILED, simd = true) {
  await tf.setBackend(backend);
  if (simd) delete process.env.CONVKIT_WASM_SIMD;
  else process.env.CONVKIT_WASM_SIMD = '0';
  const input = tf.tensor4d(x, shape as [number, number, number, number]);
  const y = tf.maxPool(input, p.size, p.strides, p.pad);
  const result = { shape: y.shape, values: (await y.data()) as Float32Array };
  tf.dispose([input, y]);
  return result;
}

describe('wasm MaxPool, SIMD kernel (2×2 stride 2)', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it.skipIf(runWithoutSimd)('runs where the SIMD kernels are prepared', () => {
    expect(simdKernels(tf.engine().findBackend('wasm') as BackendWasm)).toBeDefined();
  });

  it.skipIf(runWithoutSimd)('gives tfjs-cpu’s bits: ties, ±0, NaN, ±Infinity, odd sizes, C = 1…16', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    for (const [i, shape] of POOL_2X2_SHAPES.entries()) {
      for (const kind of ['relu', 'grid', 'special'] as const) {
        const x = tieValues(kind, tf.util.sizeFromShape(shape), 500 + i);
        const wasm = await pool('wasm', x, shape);
        const cpu = await pool('cpu', x, shape);
        expect(wasm.shape, `${shape}`).toEqual(cpu.shape);
        expect(differingBits(wasm.values, cpu.values), `${shape} ${kind} vs cpu`).toBe(0);
      }
    }
    await tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('equals the stock kernel on ordinary values, on every route', async () => {
    for (const [i, shape] of POOL_2X2_SHAPES.entries()) {
      const x = seeded(tf.util.sizeFromShape(shape), 600 + i);
      const simd = await pool('wasm', x, shape);
      const stock = await pool('wasm', x, shape, TILED, false);
      expect(differingBits(simd.values, stock.values), `${shape}`).toBe(0);
    }
  });

  it('leaves other pools to the stock kernel (the same values as tfjs-cpu)', async () => {
    const others: Pool[] = [
      { size: 3, strides: 2, pad: 'valid' },
      { size: 2, strides: 1, pad: 'valid' },
      { size: 2, strides: 2, pad: 'same' }, // odd sizes: padded at the bottom and right
      { size: [2, 3], strides: [2, 3], pad: 'valid' },
    ];
    for (const [i, p] of others.entries()) {
      const shape = [2, 7, 9, 5];
      const x = seeded(tf.util.sizeFromShape(shape), 700 + i);
      const wasm = await pool('wasm', x, shape, p);
      const cpu = await pool('cpu', x, shape, p);
      expect(differingBits(wasm.values, cpu.values), JSON.stringify(p)).toBe(0);
    }
  });

  it.skipIf(runWithoutSimd)('writes y and nothing around it, and leaves x as it was', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('no SIMD kernels on the wasm backend');
    for (const [i, shape] of [
      [2, 9, 7, 6],
      [1, 5, 7, 3],
      [2, 8, 8, 16],
    ].entries()) {
      const [n, h, w, c] = shape as [number, number, number, number];
      const [oh, ow] = [Math.floor(h / 2), Math.floor(w / 2)];
      const xValues = tieValues('special', n * h * w * c, 800 + i);
      const x = tf.tensor(xValues);
      const size = n * oh * ow * c;
      const guard = 16;
      const arena = tf.fill([size + 2 * guard], 7.5);
      simd.fn('max_pool_2x2')(heapOffset(backend, x), heapOffset(backend, arena) + 4 * guard, n, h, w, c, oh, ow);
      const written = (await arena.data()) as Float32Array;
      const canaries = [...written.subarray(0, guard), ...written.subarray(guard + size)];
      expect(canaries, `${shape} canaries`).toEqual(new Array(2 * guard).fill(7.5));
      const cpu = await pool('cpu', xValues, shape);
      expect(differingBits(written.subarray(guard, guard + size), cpu.values), `${shape} y`).toBe(0);
      expect(differingBits((await x.data()) as Float32Array, xValues), `${shape} x`).toBe(0);
      await tf.setBackend('wasm');
      tf.dispose([x, arena]);
    }
  });

  it('the stock kernel differs from tfjs-cpu only in windows holding a NaN or a ±0 tie (why this kernel follows cpu)', async () => {
    const [n, h, w, c] = [2, 10, 10, 16];
    const x = tieValues('special', n * h * w * c, 900);
    const stock = await pool('wasm', x, [n, h, w, c], TILED, false);
    const cpu = await pool('cpu', x, [n, h, w, c]);
    let nanWindows = 0;
    let zeroSigns = 0;
    let otherDifferences = 0;
    stock.values.forEach((v, i) => {
      const [d, pixel] = [i % c, Math.floor(i / c)];
      const [b, r, col] = [Math.floor(pixel / 25), Math.floor((pixel % 25) / 5), pixel % 5];
      const window = [0, 1, 2, 3].map((k) => x[((b * h + 2 * r + (k >> 1)) * w + 2 * col + (k & 1)) * c + d] as number);
      if (window.some(Number.isNaN)) nanWindows += Object.is(v, cpu.values[i]) ? 0 : 1;
      else if (v === 0 && cpu.values[i] === 0 && !Object.is(v, cpu.values[i])) zeroSigns++;
      else if (!Object.is(v, cpu.values[i])) otherDifferences++;
    });
    expect(otherDifferences).toBe(0);
    expect(nanWindows).toBeGreaterThan(0);
    expect(zeroSigns).toBeGreaterThan(0);
  });
});
