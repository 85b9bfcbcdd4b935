import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ConvGeometry,
  convLoss,
  finiteDifference,
  geometry,
  type HostTensor,
  host,
  maxRelativeError,
  runOn,
  seeded,
} from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { filterGradRoute } from './conv2d-backprop-filter.js';
import { planAxis } from './conv2d-backprop-input.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: Pad;
  /** Numeric padding needs it unless the sizes divide exactly. */
  dimRoundingMode?: 'floor' | 'ceil' | 'round';
}

/** Random geometries: every stride 1–3, kernel 1–5, 'same', 'valid', numeric and explicit (asymmetric) padding. */
function randomCases(count: number, seed: number): Case[] {
  const r = seeded(count * 12, seed);
  const pick = (i: number, lo: number, hi: number) => lo + Math.floor(((r[i] ?? 0) + 1) * 0.5 * (hi - lo + 1));
  const cases: Case[] = [];
  for (let c = 0; c < count; c++) {
    const at = (k: number) => c * 12 + k;
    const padKind = pick(at(2), 0, 3);
    const kh = pick(at(0), 1, 5);
    // tfjs sizes numeric padding from the filter height alone: keep those filters square.
    const kw = padKind === 2 ? kh : pick(at(1), 1, 5);
    const explicit: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [pick(at(3), 0, 2), pick(at(4), 0, 2)],
      [pick(at(5), 0, 2), pick(at(6), 0, 2)],
      [0, 0],
    ];
    const pad: Pad = padKind === 0 ? 'same' : padKind === 1 ? 'valid' : padKind === 2 ? pick(at(3), 0, 2) : explicit;
    const height = kh + pick(at(7), 0, 8);
    const width = kw + pick(at(8), 0, 8);
    cases.push({
      x: [pick(at(9), 1, 3), height, width, pick(at(10), 1, 5)],
      filter: [kh, kw, 0, pick(at(11), 1, 6)],
      strides: [pick(at(4), 1, 3), pick(at(6), 1, 3)],
      pad,
      ...(typeof pad === 'number' ? { dimRoundingMode: c % 2 ? 'floor' : 'ceil' } : {}),
    });
    const last = cases[cases.length - 1];
    if (last) last.filter[2] = last.x[3];
  }
  return cases;
}

function dyShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad, c.dimRoundingMode);
  return info.outShape;
}

function describeCase(c: Case): string {
  return `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)} ${c.dimRoundingMode ?? ''}`;
}

async function compareWithCpu(c: Case, seed: number): Promise<void> {
  const x = host(c.x, seed);
  const w = host(c.filter, seed + 1);
  const dy = host(dyShape(c), seed + 2);
  const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode };
  const filterAttrs = { ...common, filterShape: c.filter };
  const inputAttrs = { ...common, inputShape: c.x };
  const dwCpu = await runOn('cpu', 'Conv2DBackpropFilter', { x, dy }, filterAttrs);
  const dwWasm = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, filterAttrs);
  expect(dwWasm.shape, describeCase(c)).toEqual(c.filter);
  expect(maxRelativeError(dwWasm.values, dwCpu.values), describeCase(c)).toBeLessThan(1e-4);
  const dxCpu = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter: w }, inputAttrs);
  const dxWasm = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter: w }, inputAttrs);
  expect(dxWasm.shape, describeCase(c)).toEqual(c.x);
  expect(maxRelativeError(dxWasm.values, dxCpu.values), describeCase(c)).toBeLessThan(1e-4);
}

/** tf.memory() and the wasm backend's own data count, which also sees intermediates a kernel forgot. */
function counts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

describe('wasm Conv2DBackpropFilter and Conv2DBackpropInput', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('are convkit kernels once the wasm backend starts', () => {
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
      expect(tf.getKernel(name, 'wasm')?.kernelFunc.name, name).toMatch(/^conv2DBackprop/);
    }
  });

  it('match tfjs-cpu on 40 random geometries (strides 1–3, all paddings, batch up to 3)', async () => {
    await tf.setBackend('wasm');
    const before = counts();
    for (const [i, c] of randomCases(40, 11).entries()) await compareWithCpu(c, 100 + i);
    await tf.setBackend('wasm');
    expect(counts()).toEqual(before);
  });

  it('match tfjs-cpu on the layers of the zoo and on both filter-gradient routes', async () => {
    const cases: Case[] = [
      { x: [3, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], pad: 2 }, // LeNet-5 c1
      { x: [3, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid' }, // LeNet-5 c3
      { x: [2, 35, 35, 3], filter: [11, 11, 3, 8], strides: [4, 4], pad: 2 }, // AlexNet conv1, narrowed
      { x: [2, 9, 9, 16], filter: [3, 3, 16, 8], strides: [2, 2], pad: 'valid' }, // Inception reduction
      { x: [2, 7, 7, 8], filter: [1, 1, 8, 4], strides: [2, 2], pad: 'same' }, // 1×1 stride 2: phases without taps
      { x: [2, 4, 4, 128], filter: [3, 3, 128, 128], strides: [1, 1], pad: 'same' }, // per-tap route
      { x: [1, 5, 5, 130], filter: [3, 3, 130, 129], strides: [2, 2], pad: 'same' }, // per-tap, strided
    ];
    for (const [i, c] of cases.entries()) await compareWithCpu(c, 300 + i);
    const route = (c: Case) => filterGradRoute(tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, c.pad));
    expect(cases.map(route)).toEqual([
      'convolution',
      'convolution',
      'convolution',
      'convolution',
      'convolution',
      'taps',
      'taps',
    ]);
  });

  it('agree with finite differences of a float64 convolution', async () => {
    const small: Case[] = [
      { x: [2, 5, 6, 2], filter: [3, 2, 2, 3], strides: [1, 1], pad: 'same' },
      { x: [2, 7, 6, 3], filter: [3, 3, 3, 2], strides: [2, 3], pad: 'valid' },
      {
        x: [1, 6, 5, 2],
        filter: [2, 3, 2, 2],
        strides: [3, 2],
        pad: [
          [0, 0],
          [2, 0],
          [1, 2],
          [0, 0],
        ],
      },
    ];
    for (const [i, c] of small.entries()) {
      const g: ConvGeometry = geometry(c.x, c.filter, c.strides, 1, c.pad, false);
      const x = host(c.x, 500 + i);
      const w = host(c.filter, 600 + i);
      const dy = host(dyShape(c), 700 + i);
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
      const dw = await runOn('wasm', 'Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: c.filter });
      const dx = await runOn('wasm', 'Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: c.x });
      const expectDw = finiteDifference(Float64Array.from(w.values), (p) => convLoss(g, x.values, p, dy.values));
      const expectDx = finiteDifference(Float64Array.from(x.values), (p) => convLoss(g, p, w.values, dy.values));
      expect(maxRelativeError(dw.values, expectDw), describeCase(c)).toBeLessThan(1e-4);
      expect(maxRelativeError(dx.values, expectDx), describeCase(c)).toBeLessThan(1e-4);
    }
  });

  it('give conv2d gradients through tf.grads equal to tfjs-cpu, leaving nothing behind', async () => {
    const grads = async (backend: string, x: HostTensor, w: HostTensor) => {
      await tf.setBackend(backend);
      const before = counts();
      const inputs = [tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape)];
      const outputs = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
          .square()
          .sum(),
      )(inputs);
      const values = await Promise.all(outputs.map((t) => t.data()));
      tf.dispose([...inputs, ...outputs]);
      expect(counts()).toEqual(before);
      return values;
    };
    const x = host([2, 9, 9, 3], 801);
    const w = host([3, 3, 3, 4], 802);
    const cpu = await grads('cpu', x, w);
    const wasm = await grads('wasm', x, w);
    expect(wasm).toHaveLength(2);
    for (const k of [0, 1]) expect(maxRelativeError(wasm[k] ?? [], cpu[k] ?? [])).toBeLessThan(1e-4);
  });
});

describe('planAxis (phases of a strided transposed convolution)', () => {
  it('covers every input index exactly once and uses every tap once', () => {
    for (const [inSize, outSize, kernel, stride, pad] of [
      [7, 4, 3, 2, 1],
      [9, 4, 3, 2, 0],
      [8, 3, 1, 3, 0],
      [12, 3, 5, 4, 2],
      [5, 5, 3, 1, 1],
    ] as const) {
      const phases = planAxis(inSize, outSize, kernel, stride, pad);
      const covered = phases.flatMap((p) => Array.from({ length: p.count }, (_, j) => p.first + j * stride));
      expect(covered.sort((a, b) => a - b)).toEqual(Array.from({ length: inSize }, (_, i) => i));
      expect(phases.reduce((sum, p) => sum + p.taps, 0)).toBe(kernel);
      for (const p of phases) if (p.count > 0 && p.taps > 0) expect(p.skip + p.count).toBeLessThanOrEqual(p.length);
    }
  });
});
