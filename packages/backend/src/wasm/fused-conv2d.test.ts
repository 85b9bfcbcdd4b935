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
import { type HostTensor, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { forwardRoute, forwardScratchBytes, runForwardKernel } from './fused-conv2d.js';
import { heapOffset, simdKernels } from './simd/module.js';

type Info = tf.backend_util.Conv2DInfo;

/** A fused convolution: x ⊛ filter (+ bias), then the activation. */
interface Layer extends Omit<Window, 'pad'> {
  pad: 'same' | 'valid' | number | Explicit;
  bias: boolean;
  activation: 'linear' | 'relu' | 'elu' | 'leakyrelu' | 'prelu';
}

const infoOf = (l: Layer): Info => tf.backend_util.computeConv2DInfo(l.x, l.filter, l.strides, 1, l.pad);
const label = (l: Layer) =>
  `x ${l.x} filter ${l.filter} strides ${l.strides} pad ${JSON.stringify(l.pad)} bias ${l.bias} ${l.activation}`;
const routeOf = (l: Layer, hasSimd = true, threads = 2) => {
  const info = infoOf(l);
  const x = { dataId: {}, shape: l.x, dtype: 'float32' as const };
  const filter = { dataId: {}, shape: l.filter, dtype: 'float32' as const };
  const bias = l.bias ? { dataId: {}, shape: [l.filter[3]], dtype: 'float32' as const } : undefined;
  const prelu = l.activation === 'prelu' ? bias : undefined;
  return forwardRoute(
    info,
    { activation: l.activation, dataFormat: 'NHWC' },
    { x, filter, bias, preluActivationWeights: prelu },
    hasSimd,
    threads,
  );
};

/** y of the fused convolution from its definition, in float64. */
function forward(
  info: Info,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  bias: ArrayLike<number> | undefined,
  relu: boolean,
) {
  const { inChannels: ci, outChannels: co } = info;
  const y = new Float64Array(info.batchSize * info.outHeight * info.outWidth * co);
  for (let i = 0; i < y.length; i++) y[i] = bias ? (bias[i % co] ?? Number.NaN) : 0;
  forEachTap(info, (outPixel, inPixel, tap) => {
    for (let c = 0; c < ci; c++) {
      const xv = x[inPixel * ci + c] ?? Number.NaN;
      for (let o = 0; o < co; o++)
        y[outPixel * co + o] = (y[outPixel * co + o] ?? 0) + xv * (w[(tap * ci + c) * co + o] ?? Number.NaN);
    }
  });
  return relu ? y.map((v) => Math.max(v, 0)) : y;
}

/**
 * Layers the few-channel kernel takes (Ci 1–2 with Co 1–19, or Ci 3–4 with Co 1–8) or, `wide`,
 * mostly the one blocked over output channels (Ci 3–16, Co 5–32); linear or ReLU, with or without a bias.
 */
function layers(count: number, seed: number, wide = false): Layer[] {
  const kinds = seeded(count, seed + 1);
  const windows = randomWindows(count, seed, (pick) => {
    if (wide) return [pick(3, 16), pick(5, 32)];
    const ci = pick(1, 4);
    return [ci, ci <= 2 ? pick(1, 19) : pick(1, 8)];
  });
  return windows.map((w, i) => {
    const kind = Math.floor(((kinds[i] ?? 0) + 1) * 2);
    return { ...w, bias: kind % 2 === 1, activation: kind >= 2 ? 'relu' : 'linear' };
  });
}

const LENET_C1: Layer = {
  x: [64, 28, 28, 1],
  filter: [5, 5, 1, 6],
  strides: [1, 1],
  pad: 2,
  bias: true,
  activation: 'relu',
};
const LENET_C2: Layer = { ...LENET_C1, x: [64, 14, 14, 6], filter: [5, 5, 6, 16], pad: 'valid' };
/** Wider than the blocked kernel was measured at (Ci·Co > 64²): the stock kernel's. */
const WIDER: Layer = {
  x: [1, 6, 6, 72],
  filter: [3, 3, 72, 64],
  strides: [1, 1],
  pad: 'same',
  bias: true,
  activation: 'relu',
};

interface Data {
  x: HostTensor;
  filter: HostTensor;
  bias?: HostTensor;
}

function dataOf(l: Layer, seed: number): Data {
  const data: Data = { x: host(l.x, seed), filter: host(l.filter, seed + 1) };
  if (l.bias || l.activation === 'prelu') data.bias = host([l.filter[3]], seed + 2);
  return data;
}

async function fused(backend: string, l: Layer, d: Data) {
  const inputs: Record<string, HostTensor> = { x: d.x, filter: d.filter };
  if (l.bias && d.bias) inputs.bias = d.bias;
  if (l.activation === 'prelu' && d.bias) inputs.preluActivationWeights = d.bias;
  const attrs = { strides: l.strides, pad: l.pad, dataFormat: 'NHWC', dilations: 1, activation: l.activation };
  return runOn(backend, 'FusedConv2D', inputs, { ...attrs, leakyreluAlpha: 0.2 });
}

/** Each layer's route against the float64 oracle and tfjs-cpu, and with CONVKIT_WASM_SIMD=0 against the oracle. */
async function matchesOracles(cases: Layer[], seed: number): Promise<void> {
  for (const [i, l] of cases.entries()) {
    const d = dataOf(l, seed + 3 * i);
    const relu = l.activation === 'relu';
    const exact = forward(infoOf(l), d.x.values, d.filter.values, l.bias ? d.bias?.values : undefined, relu);
    const got = await fused('wasm', l, d);
    expect(got.shape).toEqual(infoOf(l).outShape);
    expect(maxRelativeError(got.values, exact), label(l)).toBeLessThan(1e-5);
    expect(maxRelativeError(got.values, (await fused('cpu', l, d)).values), label(l)).toBeLessThan(1e-4);
    process.env.CONVKIT_WASM_SIMD = '0';
    const stock = await fused('wasm', l, d);
    delete process.env.CONVKIT_WASM_SIMD;
    expect(maxRelativeError(stock.values, exact), `stock: ${label(l)}`).toBeLessThan(1e-4);
  }
}

describe('wasm FusedConv2D by the SIMD kernel', () => {
  simdRoutesUnderTest();

  it("is LeNet-5's layers' route; wider layers, more threads, other activations and no module keep the stock kernel", () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    expect(routeOf(LENET_C1)).toBe('simd');
    expect(routeOf(LENET_C1, false)).toBe('stock');
    expect(routeOf(LENET_C2)).toBe('wide');
    expect(routeOf(LENET_C2, true, 1)).toBe('wide');
    expect(routeOf(LENET_C2, true, 4)).toBe('stock');
    expect(routeOf(LENET_C2, false)).toBe('stock');
    expect(routeOf({ ...WIDER, x: [1, 6, 6, 64], filter: [3, 3, 64, 64] })).toBe('wide');
    expect(routeOf(WIDER)).toBe('stock');
    for (const activation of ['elu', 'leakyrelu', 'prelu'] as const)
      expect(routeOf({ ...LENET_C1, activation })).toBe('stock');
  });

  it('matches a float64 oracle, tfjs-cpu and the stock kernel on 60 random layers and LeNet-5 conv1 at batch 64', async () => {
    const cases = [...layers(60, 61), LENET_C1].filter((l) => Math.min(...infoOf(l).outShape) > 0);
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.some((l) => l.x[0] === 1 && l.strides[0] > 1 && l.strides[1] > 1 && l.filter[3] % 4 !== 0)).toBe(true);
    expect(cases.every((l) => routeOf(l) === 'simd')).toBe(true);
    await matchesOracles(cases, 7000);
  });

  it('matches them by the kernel blocked over output channels on 60 random layers (Ci 3–16, Co 5–32) and LeNet-5 conv2', async () => {
    const cases = [...layers(60, 67, true), LENET_C2].filter((l) => Math.min(...infoOf(l).outShape) > 0);
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.filter((l) => routeOf(l) === 'wide').length).toBeGreaterThan(45);
    for (const co of [0, 4, 8, 12]) expect(cases.some((l) => l.filter[3] % 16 === co)).toBe(true);
    expect(cases.some((l) => l.strides[1] > 1 && l.filter[3] % 4 !== 0)).toBe(true);
    await matchesOracles(cases, 7500);
  });

  it('hands other activations, PReLU weights and wider layers to the stock kernel, equal to tfjs-cpu', async () => {
    const others: Layer[] = [
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'elu' },
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'leakyrelu' },
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'prelu' },
      WIDER,
      { ...LENET_C2, x: [2, 14, 14, 6], activation: 'elu' },
    ];
    for (const [i, l] of others.entries()) {
      const d = dataOf(l, 8000 + 3 * i);
      const got = await fused('wasm', l, d);
      expect(maxRelativeError(got.values, (await fused('cpu', l, d)).values), label(l)).toBeLessThan(1e-4);
    }
  });

  it('gives tf.grads through a fused conv2d with bias and ReLU equal to tfjs-cpu, leaving no tensor behind', async () => {
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const inputs = [host([2, 12, 11, 1], 91), host([3, 4, 1, 5], 92), host([5], 93)].map((h) =>
        tf.tensor(h.values, h.shape),
      );
      const f = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) =>
        tf.fused
          .conv2d({
            x: x as tf.Tensor4D,
            filter: w as tf.Tensor4D,
            strides: [2, 1],
            pad: 'same',
            bias: b,
            activation: 'relu',
          })
          .square()
          .sum();
      const outputs = tf.grads(f)(inputs);
      const values = await Promise.all(outputs.map((t) => t.data()));
      tf.dispose([...inputs, ...outputs]);
      expect(tf.memory().numTensors).toBe(before);
      return values;
    };
    const [wasm, cpu] = [await grads('wasm'), await grads('cpu')];
    for (const k of [0, 1, 2]) expect(maxRelativeError(wasm[k] ?? [], cpu[k] ?? [])).toBeLessThan(1e-4);
  });

  it('either kernel writes nothing outside y and its scratch, and leaves x, the filter and the bias as they were', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('the SIMD kernels are not prepared');
    const cases = [...layers(16, 63), LENET_C1, ...layers(16, 69, true), LENET_C2];
    for (const [i, l] of cases.filter((c) => Math.min(...infoOf(c).outShape) > 0).entries()) {
      const info = infoOf(l);
      const route = i % 2 === 0 ? 'simd' : 'wide';
      const d = dataOf(l, 9000 + 3 * i);
      const [x, w, b] = [d.x, d.filter, d.bias ?? host([l.filter[3]], 1)].map((h) => tf.tensor(h.values, h.shape));
      if (!x || !w || !b) throw new Error('three tensors expected');
      const before = await Promise.all([x.data(), w.data(), b.data()]);
      const at = { x: heapOffset(backend, x), filter: heapOffset(backend, w), bias: heapOffset(backend, b) };
      const run = (y: number, scratch: number) =>
        runForwardKernel(simd, info, { ...at, y, scratch }, l.activation === 'relu', route);
      const size = tf.util.sizeFromShape(info.outShape);
      const got = await guardedRun(backend, simd, size, forwardScratchBytes(info), run, `${route}: ${label(l)}`);
      const exact = forward(info, before[0], before[1], before[2], l.activation === 'relu');
      expect(maxRelativeError(got, exact), `${route}: ${label(l)}`).toBeLessThan(1e-5);
      expect(await Promise.all([x.data(), w.data(), b.data()])).toEqual(before);
      tf.dispose([x, w, b]);
    }
  });
});
