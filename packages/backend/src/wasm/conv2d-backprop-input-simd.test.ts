import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { inputGradRoute, inputGradScratchBytes } from './conv2d-backprop-input.js';
import { heapOffset, simdKernels } from './simd/module.js';

type Info = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Explicit = [[0, 0], [number, number], [number, number], [0, 0]];

/** A forward convolution x ⊛ filter whose input gradient is under test. */
interface Geometry {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: 'same' | 'valid' | Explicit;
}

const infoOf = (g: Geometry): Info => tf.backend_util.computeConv2DInfo(g.x, g.filter, g.strides, 1, g.pad);
const label = (g: Geometry) => `x ${g.x} filter ${g.filter} strides ${g.strides} pad ${JSON.stringify(g.pad)}`;
const attrsOf = (g: Geometry) => ({ strides: g.strides, pad: g.pad, dataFormat: 'NHWC', inputShape: g.x });

/** dx straight from the definition, in float64: every (dy pixel, tap) that lands inside x adds Wᵀ·dy. */
function inputGradient(info: Info, dy: ArrayLike<number>, w: ArrayLike<number>): Float64Array {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  const dx = new Float64Array(batchSize * inHeight * inWidth * ci);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyAt = ((n * outHeight + oh) * outWidth + ow) * co;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight + kh - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            const dxAt = ((n * inHeight + ih) * inWidth + iw) * ci;
            for (let c = 0; c < ci; c++) {
              const tap = ((kh * filterWidth + kw) * ci + c) * co;
              let sum = 0;
              for (let o = 0; o < co; o++) sum += (dy[dyAt + o] ?? Number.NaN) * (w[tap + o] ?? Number.NaN);
              dx[dxAt + c] = (dx[dxAt + c] ?? 0) + sum;
            }
          }
        }
      }
    }
  }
  return dx;
}

/** Geometries from a seed: batch 1–3, kernels 1–6, strides 1–3, asymmetric pads below the kernel, Ci 1–11, Co 1–19. */
function geometries(count: number, seed: number): Geometry[] {
  const r = seeded(count * 13, seed);
  const out: Geometry[] = [];
  for (let i = 0; i < count; i++) {
    const pick = (k: number, lo: number, hi: number) =>
      lo + Math.floor(((r[i * 13 + k] ?? 0) + 1) * 0.5 * (hi - lo + 1));
    const [kh, kw, ci] = [pick(0, 1, 6), pick(1, 1, 6), pick(2, 1, 11)];
    const pad: Explicit = [
      [0, 0],
      [pick(3, 0, kh - 1), pick(4, 0, kh - 1)],
      [pick(5, 0, kw - 1), pick(6, 0, kw - 1)],
      [0, 0],
    ];
    const x: Shape4 = [pick(7, 1, 3), kh + pick(8, 0, 11), kw + pick(9, 0, 11), ci];
    out.push({ x, filter: [kh, kw, ci, pick(10, 1, 19)], strides: [pick(11, 1, 3), pick(12, 1, 3)], pad });
  }
  return out;
}

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

afterEach(() => {
  delete process.env.CONVKIT_WASM_SIMD;
});

describe('wasm Conv2DBackpropInput by the SIMD kernel', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it("is LeNet-5's route where the kernels run, and XNNPACK's without them", () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    expect(inputGradRoute(infoOf(LENET_C3), true)).toBe('simd');
    expect(inputGradRoute(infoOf(LENET_C3), false)).toBe('xnnpack');
    const wide: Geometry = { x: [2, 4, 4, 128], filter: [3, 3, 128, 128], strides: [1, 1], pad: 'same' };
    expect(inputGradRoute(infoOf(wide), true)).toBe('xnnpack');
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
    const guard = 64;
    const canary = 12345.5;
    const cases = [...geometries(16, 43), ...NAMED].filter((g) => Math.min(...infoOf(g).outShape) > 0);
    for (const [i, g] of cases.entries()) {
      const info = infoOf(g);
      const dy = tf.tensor(host(info.outShape, 5000 + i).values, info.outShape);
      const w = tf.tensor(host(g.filter, 5100 + i).values, g.filter);
      const size = tf.util.sizeFromShape(g.x);
      const dx = tf.fill([size + 2 * guard], canary);
      const bytes = inputGradScratchBytes(info);
      const scratch = simd.scratch(bytes + 4 * guard);
      const heap = new Float32Array(backend.typedArrayFromHeap(dx).buffer);
      heap.fill(canary, (scratch + bytes) / 4, (scratch + bytes) / 4 + guard);
      const [dyBefore, wBefore] = [await dy.data(), await w.data()];
      const { batchSize, outHeight, outWidth, outChannels, inHeight, inWidth, inChannels, padInfo } = info;
      simd.fn('conv2d_backprop_input')(
        heapOffset(backend, dy),
        heapOffset(backend, w),
        heapOffset(backend, dx) + 4 * guard,
        scratch,
        batchSize,
        outHeight,
        outWidth,
        outChannels,
        inHeight,
        inWidth,
        inChannels,
        info.filterHeight,
        info.filterWidth,
        info.strideHeight,
        info.strideWidth,
        padInfo.top,
        padInfo.left,
      );
      const all = await dx.data();
      const outside = [...all.subarray(0, guard), ...all.subarray(guard + size)];
      expect(
        outside.every((v) => v === canary),
        `around dx: ${label(g)}`,
      ).toBe(true);
      const after = new Float32Array(backend.typedArrayFromHeap(dx).buffer, scratch + bytes, guard);
      expect(
        after.every((v) => v === canary),
        `after the scratch: ${label(g)}`,
      ).toBe(true);
      const exact = inputGradient(info, dyBefore, wBefore);
      expect(maxRelativeError(all.subarray(guard, guard + size), exact), label(g)).toBeLessThan(1e-5);
      expect(await dy.data()).toEqual(dyBefore);
      expect(await w.data()).toEqual(wBefore);
      tf.dispose([dy, w, dx]);
    }
  });
});
