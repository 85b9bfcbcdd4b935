import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forEachTap, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { filterGradRoute, simdPlan } from './conv2d-backprop-filter.js';
import { heapOffset, simdKernels } from './simd/module.js';

type Info = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Padding = [[0, 0], [number, number], [number, number], [0, 0]];

interface Case {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: 'same' | 'valid' | Padding;
}

const infoOf = (c: Case): Info => tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad);
const unchanged = (a: tf.TypedArray, b: tf.TypedArray) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
const describeCase = (c: Case) => `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}`;

/** dW of a convolution in float64, straight from its definition (no padding, no copies). */
function filterGradient(info: Info, x: ArrayLike<number>, dy: ArrayLike<number>): Float64Array {
  const { inChannels: ci, outChannels: co } = info;
  const dw = new Float64Array(info.filterHeight * info.filterWidth * ci * co);
  forEachTap(info, (xAt, dyAt, tapAt) => {
    for (let c = 0; c < ci; c++) {
      const xv = x[xAt + c] ?? Number.NaN;
      const tap = tapAt + c * co;
      for (let o = 0; o < co; o++) dw[tap + o] = (dw[tap + o] ?? 0) + xv * (dy[dyAt + o] ?? Number.NaN);
    }
  });
  return dw;
}

/** Random geometries: batch 1–3, kernels 1–5, strides 1–3, asymmetric explicit pads 0–3, Ci 1–9, Co 1–21. */
function randomCases(count: number, seed: number): Case[] {
  const r = seeded(count * 13, seed);
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const pick = (k: number, lo: number, hi: number) =>
      lo + Math.floor(((r[c * 13 + k] ?? 0) + 1) * 0.5 * (hi - lo + 1));
    const [kh, kw] = [pick(0, 1, 5), pick(1, 1, 5)];
    const pad: Padding = [
      [0, 0],
      [pick(2, 0, 3), pick(3, 0, 3)],
      [pick(4, 0, 3), pick(5, 0, 3)],
      [0, 0],
    ];
    const ci = pick(6, 1, 9);
    const x: Shape4 = [pick(7, 1, 3), kh + pick(8, 0, 9), kw + pick(9, 0, 9), ci];
    cases.push({ x, filter: [kh, kw, ci, pick(10, 1, 21)], strides: [pick(11, 1, 3), pick(12, 1, 3)], pad });
  }
  return cases;
}

const LENET: Case[] = [
  { x: [64, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], pad: 'same' },
  { x: [64, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' },
];

const WIDE: Case[] = [
  { x: [2, 4, 4, 128], filter: [3, 3, 128, 128], strides: [1, 1], pad: 'same' },
  { x: [1, 5, 5, 130], filter: [3, 3, 130, 129], strides: [2, 2], pad: 'same' },
];

async function simdGradient(c: Case, seed: number): Promise<{ values: Float32Array; shape: number[] }> {
  const dy = host(infoOf(c).outShape, seed + 1);
  const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
  return runOn('wasm', 'Conv2DBackpropFilter', { x: host(c.x, seed), dy }, attrs);
}

afterEach(() => {
  delete process.env.CONVKIT_WASM_SIMD;
});

describe('wasm Conv2DBackpropFilter by the SIMD kernel', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('is the route LeNet-5 takes, and XNNPACK keeps wide layers and runs without the kernels', () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    expect(LENET.map((c) => filterGradRoute(infoOf(c), true))).toEqual(['simd', 'simd']);
    expect(LENET.map((c) => filterGradRoute(infoOf(c), false))).toEqual(['convolution', 'convolution']);
    const wide = infoOf(WIDE[0] as Case);
    expect([1, 2, 3, 8].map((threads) => filterGradRoute(wide, true, threads))).toEqual([
      'simd',
      'simd',
      'taps',
      'taps',
    ]);
    expect(filterGradRoute(wide, false, 2)).toBe('taps');
  });

  it('computes wide layers (Ci·Co ≥ 128²) on both routes, SIMD and taps, equal to a float64 oracle', async () => {
    for (const [i, c] of WIDE.entries()) {
      const [x, dy] = [host(c.x, 600 + 2 * i), host(infoOf(c).outShape, 601 + 2 * i)];
      const exact = filterGradient(infoOf(c), x.values, dy.values);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      for (const switched of ['1', '0']) {
        process.env.CONVKIT_WASM_SIMD = switched;
        const wasm = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, attrs);
        expect(maxRelativeError(wasm.values, exact), `${describeCase(c)} SIMD ${switched}`).toBeLessThan(1e-4);
      }
    }
  });

  it('matches a float64 oracle and tfjs-cpu on 60 random geometries (N=1, odd Co, strides 2–3, asymmetric pads)', async () => {
    const cases = randomCases(60, 21).filter((c) => Math.min(...infoOf(c).outShape) > 0);
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.some((c) => c.x[0] === 1 && c.filter[3] % 4 !== 0 && c.strides[0] > 1)).toBe(true);
    for (const [i, c] of cases.entries()) {
      expect(filterGradRoute(infoOf(c), true), describeCase(c)).toBe('simd');
      const got = await simdGradient(c, 500 + 2 * i);
      const dy = host(infoOf(c).outShape, 501 + 2 * i);
      expect(got.shape).toEqual(c.filter);
      const exact = filterGradient(infoOf(c), host(c.x, 500 + 2 * i).values, dy.values);
      expect(maxRelativeError(got.values, exact), describeCase(c)).toBeLessThan(1e-5);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const cpu = await runOn('cpu', 'Conv2DBackpropFilter', { x: host(c.x, 500 + 2 * i), dy }, attrs);
      expect(maxRelativeError(got.values, cpu.values), describeCase(c)).toBeLessThan(1e-4);
    }
  });

  it("matches a float64 oracle at LeNet-5's shapes, batch 64, and agrees with the XNNPACK route", async () => {
    for (const [i, c] of LENET.entries()) {
      const got = await simdGradient(c, 700 + 2 * i);
      const exact = filterGradient(
        infoOf(c),
        host(c.x, 700 + 2 * i).values,
        host(infoOf(c).outShape, 701 + 2 * i).values,
      );
      process.env.CONVKIT_WASM_SIMD = '0';
      const xnnpack = await simdGradient(c, 700 + 2 * i);
      delete process.env.CONVKIT_WASM_SIMD;
      // Sums of 50,176 and 6,400 products: XNNPACK's error is 1.3e-4 at conv1, the kernel's 1.4e-5 (per-tile partial sums).
      expect(maxRelativeError(got.values, exact), describeCase(c)).toBeLessThan(5e-5);
      expect(maxRelativeError(xnnpack.values, exact), describeCase(c)).toBeLessThan(1e-3);
    }
  });

  it('writes nothing outside dW and its planned scratch, and leaves x and dy as they were', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('the SIMD kernels are not prepared');
    const guard = 16;
    const cases = [...randomCases(12, 33), ...LENET].filter((c) => Math.min(...infoOf(c).outShape) > 0);
    for (const [i, c] of cases.entries()) {
      const info = infoOf(c);
      const { tileRows, scratchBytes } = simdPlan(info);
      const x = tf.tensor(host(c.x, 900 + i).values, c.x);
      const dy = tf.tensor(host(info.outShape, 950 + i).values, info.outShape);
      const size = tf.util.sizeFromShape(c.filter);
      const dw = tf.fill([size + 2 * guard], 12345.5);
      const scratch = tf.fill([scratchBytes / 4 + guard], -777.25);
      const [xBefore, dyBefore] = [await x.data(), await dy.data()];
      simd.fn('conv2d_backprop_filter')(
        ...[x, dy].map((t) => heapOffset(backend, t)),
        heapOffset(backend, dw) + 4 * guard,
        heapOffset(backend, scratch),
        ...[info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth],
        ...[info.outChannels, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth],
        ...[info.padInfo.top, info.padInfo.left, tileRows],
      );
      const out = await dw.data();
      const canaries = [...out.subarray(0, guard), ...out.subarray(guard + size)];
      expect(canaries, describeCase(c)).toEqual(new Array(2 * guard).fill(12345.5));
      const exact = filterGradient(info, xBefore, dyBefore);
      expect(maxRelativeError(out.subarray(guard, guard + size), exact), describeCase(c)).toBeLessThan(5e-5);
      expect([...(await scratch.data()).subarray(scratchBytes / 4)], describeCase(c)).toEqual(
        new Array(guard).fill(-777.25),
      );
      expect(unchanged(await x.data(), xBefore), describeCase(c)).toBe(true);
      expect(unchanged(await dy.data(), dyBefore), describeCase(c)).toBe(true);
      tf.dispose([x, dy, dw, scratch]);
    }
  });

  it('runs the XNNPACK routes with CONVKIT_WASM_SIMD=0, matching tfjs-cpu', async () => {
    process.env.CONVKIT_WASM_SIMD = '0';
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeUndefined();
    for (const [i, c] of randomCases(15, 44).entries()) {
      if (Math.min(...infoOf(c).outShape) <= 0) continue;
      const dy = host(infoOf(c).outShape, 801 + 2 * i);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter };
      const wasm = await runOn('wasm', 'Conv2DBackpropFilter', { x: host(c.x, 800 + 2 * i), dy }, attrs);
      const cpu = await runOn('cpu', 'Conv2DBackpropFilter', { x: host(c.x, 800 + 2 * i), dy }, attrs);
      expect(maxRelativeError(wasm.values, cpu.values), describeCase(c)).toBeLessThan(1e-4);
    }
  });
});
