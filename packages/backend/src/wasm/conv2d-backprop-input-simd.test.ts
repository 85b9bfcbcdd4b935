import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  type Explicit,
  forEachTap,
  guardedRun,
  randomWindows,
  simdRoutesUnderTest,
  type Window,
} from '../../test/simd-conv.js';
import { host, maxRelativeError, runOn } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { inputGradRoute, inputGradScratchBytes, runInputGradKernel } from './conv2d-backprop-input.js';
import { heapOffset, simdKernels } from './simd/module.js';

type Info = tf.backend_util.Conv2DInfo;

/** A forward convolution x ⊛ filter whose input gradient is under test. */
interface Geometry extends Omit<Window, 'pad'> {
  pad: 'same' | 'valid' | Explicit;
}

const infoOf = (g: Geometry): Info => tf.backend_util.computeConv2DInfo(g.x, g.filter, g.strides, 1, g.pad);
const label = (g: Geometry) => `x ${g.x} filter ${g.filter} strides ${g.strides} pad ${JSON.stringify(g.pad)}`;
const attrsOf = (g: Geometry) => ({ strides: g.strides, pad: g.pad, dataFormat: 'NHWC', inputShape: g.x });

/** dx straight from the definition, in float64: every (dy pixel, tap) that lands inside x adds Wᵀ·dy. */
function inputGradient(info: Info, dy: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const { inChannels: ci, outChannels: co } = info;
  const dx = new Float64Array(info.batchSize * info.inHeight * info.inWidth * ci);
  forEachTap(info, (outPixel, inPixel, tap) => {
    for (let c = 0; c < ci; c++) {
      let sum = 0;
      for (let o = 0; o < co; o++)
        sum += (dy[outPixel * co + o] ?? Number.NaN) * (w[(tap * ci + c) * co + o] ?? Number.NaN);
      dx[inPixel * ci + c] = (dx[inPixel * ci + c] ?? 0) + sum;
    }
  });
  return dx;
}

/** Ci 1–11 (mostly not a multiple of 4), Co 1–19. */
const geometries = (count: number, seed: number): Geometry[] =>
  randomWindows(count, seed, (pick) => [pick(1, 11), pick(1, 19)]);

const LENET_C3: Geometry = { x: [64, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' };
const NAMED: Geometry[] = [
  LENET_C3,
  { x: [1, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { x: [2, 13, 11, 5], filter: [3, 3, 5, 7], strides: [2, 2], pad: 'same' },
  { x: [1, 17, 16, 3], filter: [4, 5, 3, 9], strides: [3, 2], pad: 'valid' },
  { x: [2, 9, 9, 16], filter: [1, 1, 16, 8], strides: [3, 3], pad: 'valid' }, // rows no tap reaches
];

async function viaKernel(g: Geometry, dy: { values: Float32Array; shape: number[] }, seed: number) {
  return runOn('wasm', 'Conv2DBackpropInput', { dy, filter: host(g.filter, seed) }, attrsOf(g));
}

describe('wasm Conv2DBackpropInput by the SIMD kernel', () => {
  simdRoutesUnderTest();

  it("is LeNet-5's route where the kernels run, and XNNPACK's without them", () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    expect(inputGradRoute(infoOf(LENET_C3), true)).toBe('simd');
    expect(inputGradRoute(infoOf(LENET_C3), false)).toBe('xnnpack');
    const layer = (ci: number, co: number): Geometry => ({
      x: [2, 6, 6, ci],
      filter: [3, 3, ci, co],
      strides: [1, 1],
      pad: 'same',
    });
    expect([layer(32, 32), layer(16, 64), layer(64, 64)].map((g) => inputGradRoute(infoOf(g), true))).toEqual([
      'simd',
      'simd',
      'xnnpack',
    ]);
  });

  it('matches a float64 oracle and tfjs-cpu on 80 random geometries and named ones, and so does XNNPACK', async () => {
    const cases = [...geometries(80, 41), ...NAMED].filter((g) => Math.min(...infoOf(g).outShape) > 0);
    expect(cases.length).toBeGreaterThan(70);
    expect(cases.some((g) => g.x[0] === 1 && g.x[3] % 4 !== 0 && g.strides[0] > 1 && g.strides[1] > 1)).toBe(true);
    for (const [i, g] of cases.entries()) {
      const info = infoOf(g);
      expect(inputGradRoute(info, true), label(g)).toBe('simd');
      const dy = host(info.outShape, 2000 + i);
      const exact = inputGradient(info, dy.values, host(g.filter, 3000 + i).values);
      const got = await viaKernel(g, dy, 3000 + i);
      expect(got.shape).toEqual(g.x);
      expect(maxRelativeError(got.values, exact), label(g)).toBeLessThan(1e-5);
      const cpu = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter: host(g.filter, 3000 + i) }, attrsOf(g));
      expect(maxRelativeError(got.values, cpu.values), label(g)).toBeLessThan(1e-4);
      process.env.CONVKIT_WASM_SIMD = '0';
      const xnnpack = await viaKernel(g, dy, 3000 + i);
      delete process.env.CONVKIT_WASM_SIMD;
      expect(maxRelativeError(xnnpack.values, exact), `XNNPACK: ${label(g)}`).toBeLessThan(1e-4);
    }
  });

  it('puts NaN and Infinity of dy only where the oracle does (padding lanes add nothing)', async () => {
    for (const [i, g] of NAMED.slice(1).entries()) {
      const info = infoOf(g);
      const dy = host(info.outShape, 4000 + i);
      dy.values[Math.floor(dy.values.length / 3)] = Number.NaN;
      dy.values[dy.values.length - 1] = Number.POSITIVE_INFINITY;
      const exact = inputGradient(info, dy.values, host(g.filter, 4100 + i).values);
      const got = await viaKernel(g, dy, 4100 + i);
      const nonFinite = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isFinite(v) ? 0 : 1));
      expect(nonFinite(got.values), label(g)).toEqual(nonFinite(exact));
    }
  });

  it('gives tf.grads of a strided conv2d equal to tfjs-cpu, leaving no tensor behind', async () => {
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor(host([2, 11, 10, 5], 51).values, [2, 11, 10, 5]);
      const w = tf.tensor(host([3, 4, 5, 6], 52).values, [3, 4, 5, 6]);
      const dx = tf.grad((a: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, w as tf.Tensor4D, [2, 3], 'same')
          .square()
          .sum(),
      )(x);
      const values = await dx.data();
      tf.dispose([x, w, dx]);
      expect(tf.memory().numTensors).toBe(before);
      return values;
    };
    expect(maxRelativeError(await grad('wasm'), await grad('cpu'))).toBeLessThan(1e-4);
  });

  it('writes nothing outside dx and its scratch, and leaves dy and the filter as they were', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('the SIMD kernels are not prepared');
    const cases = [...geometries(16, 43), ...NAMED].filter((g) => Math.min(...infoOf(g).outShape) > 0);
    for (const [i, g] of cases.entries()) {
      const info = infoOf(g);
      const dy = tf.tensor(host(info.outShape, 5000 + i).values, info.outShape);
      const w = tf.tensor(host(g.filter, 5100 + i).values, g.filter);
      const [dyBefore, wBefore] = [await dy.data(), await w.data()];
      const at = { dy: heapOffset(backend, dy), filter: heapOffset(backend, w) };
      const size = tf.util.sizeFromShape(g.x);
      const run = (dx: number, scratch: number) => runInputGradKernel(simd, info, { ...at, dx, scratch });
      const got = await guardedRun(backend, simd, size, inputGradScratchBytes(info), run, label(g));
      const exact = inputGradient(info, dyBefore, wBefore);
      expect(maxRelativeError(got, exact), label(g)).toBeLessThan(1e-5);
      expect(await dy.data()).toEqual(dyBefore);
      expect(await w.data()).toEqual(wBefore);
      tf.dispose([dy, w]);
    }
  });

  it('runs on the single-threaded build too (the plain-memory module), as the last test here', async () => {
    expect((await initBackend('wasm', { threads: 1 })).threads).toBe(1);
    expect(simdKernels(tf.backend() as BackendWasm)).toBeDefined();
    for (const [i, g] of NAMED.entries()) {
      const dy = host(infoOf(g).outShape, 6000 + i);
      const exact = inputGradient(infoOf(g), dy.values, host(g.filter, 6100 + i).values);
      expect(maxRelativeError((await viaKernel(g, dy, 6100 + i)).values, exact), label(g)).toBeLessThan(1e-5);
    }
  });
});
