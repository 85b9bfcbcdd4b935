import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { differingBits, POOL_2X2_SHAPES, tieValues } from '../../test/float-classes.js';
import { seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { heapOffset, simdKernels } from './simd/module.js';

/** Set when the whole run turned the SIMD kernels off: then only the JS route is there to test. */
const runWithoutSimd = process.env.CONVKIT_WASM_SIMD === '0';

afterEach(() => {
  if (runWithoutSimd) process.env.CONVKIT_WASM_SIMD = '0';
  else delete process.env.CONVKIT_WASM_SIMD;
});

/** dy with −0 and NaN among random values: dx must hold +0 for −0 (dy + 0) and NaN for NaN. */
function gradient(size: number, seed: number): Float32Array {
  return seeded(size, seed).map((v, i) => (i % 7 === 0 ? -0 : i % 11 === 0 ? Number.NaN : v));
}

/** MaxPoolGrad 2×2 stride 2 'valid' on a backend; on wasm through the SIMD kernel or the JS loop. */
async function poolGrad(backend: string, x: Float32Array, shape: number[], seed: number, simd = true) {
  await tf.setBackend('cpu');
  const input = tf.tensor4d(x, shape as [number, number, number, number]);
  const output = tf.maxPool(input, 2, 2, 'valid');
  const dy = tf.tensor(gradient(output.size, seed), output.shape);
  const inputs = { input: await input.data(), output: await output.data(), dy: await dy.data() };
  const shapes = { input: input.shape, output: output.shape, dy: dy.shape };
  tf.dispose([input, output, dy]);
  await tf.setBackend(backend);
  if (simd) delete process.env.CONVKIT_WASM_SIMD;
  else process.env.CONVKIT_WASM_SIMD = '0';
  const made = {
    input: tf.tensor(inputs.input, shapes.input),
    output: tf.tensor(inputs.output, shapes.output),
    dy: tf.tensor(inputs.dy, shapes.dy),
  };
  const dx = tf.engine().runKernel('MaxPoolGrad', made, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor;
  const result = (await dx.data()) as Float32Array;
  tf.dispose([dx, ...Object.values(made)]);
  return result;
}

describe('wasm MaxPoolGrad, SIMD kernel (2×2 stride 2)', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it.skipIf(runWithoutSimd)('runs where the SIMD kernels are prepared', () => {
    expect(simdKernels(tf.engine().findBackend('wasm') as BackendWasm)).toBeDefined();
  });

  it('gives the JS loop’s and tfjs-cpu’s bits: ties, ±0, NaN, −Infinity, odd sizes, C = 1…16', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    for (const [i, shape] of POOL_2X2_SHAPES.entries()) {
      for (const kind of ['relu', 'grid', 'special'] as const) {
        const x = tieValues(kind, tf.util.sizeFromShape(shape), 200 + i);
        const simd = await poolGrad('wasm', x, shape, 300 + i);
        const js = await poolGrad('wasm', x, shape, 300 + i, false);
        const cpu = await poolGrad('cpu', x, shape, 300 + i);
        expect(differingBits(simd, js), `${shape} ${kind} vs JS`).toBe(0);
        expect(differingBits(simd, cpu), `${shape} ${kind} vs cpu`).toBe(0);
      }
    }
    await tf.setBackend('wasm');
    expect(tf.memory().numTensors).toBe(before);
  });

  it.skipIf(runWithoutSimd)('writes dx and nothing around it, and leaves x and dy as they were', async () => {
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
      const size = n * h * w * c;
      const xValues = tieValues('special', size, 400 + i);
      const dyValues = gradient(n * oh * ow * c, 410 + i);
      const x = tf.tensor(xValues);
      const dy = tf.tensor(dyValues);
      const guard = 16;
      const arena = tf.fill([size + 2 * guard], 7.5);
      const dx = heapOffset(backend, arena) + 4 * guard;
      simd.fn('max_pool_grad_2x2')(heapOffset(backend, x), heapOffset(backend, dy), dx, n, h, w, c, oh, ow);
      const written = (await arena.data()) as Float32Array;
      const canaries = [...written.subarray(0, guard), ...written.subarray(guard + size)];
      expect(canaries, `${shape} canaries`).toEqual(new Array(2 * guard).fill(7.5));
      const js = await poolGrad('wasm', xValues, shape, 410 + i, false);
      expect(differingBits(written.subarray(guard, guard + size), js), `${shape} dx`).toBe(0);
      expect(differingBits((await x.data()) as Float32Array, xValues), `${shape} x`).toBe(0);
      expect(differingBits((await dy.data()) as Float32Array, dyValues), `${shape} dy`).toBe(0);
      tf.dispose([x, dy, arena]);
    }
  });
});
