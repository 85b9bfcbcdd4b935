import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HostTensor, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { forwardRoute, forwardScratchBytes } from './fused-conv2d.js';
import { heapOffset, simdKernels } from './simd/module.js';

type Info = tf.backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];
type Explicit = [[0, 0], [number, number], [number, number], [0, 0]];

/** A fused convolution: x ⊛ filter (+ bias), then the activation. */
interface Layer {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: 'same' | 'valid' | number | Explicit;
  bias: boolean;
  activation: 'linear' | 'relu' | 'elu' | 'leakyrelu' | 'prelu';
}

const infoOf = (l: Layer): Info => tf.backend_util.computeConv2DInfo(l.x, l.filter, l.strides, 1, l.pad);
const label = (l: Layer) =>
  `x ${l.x} filter ${l.filter} strides ${l.strides} pad ${JSON.stringify(l.pad)} bias ${l.bias} ${l.activation}`;
const routeOf = (l: Layer, hasSimd = true) => {
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
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, outChannels: co, padInfo } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const y = new Float64Array(batchSize * outHeight * outWidth * co);
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let o = 0; o < co; o++) {
          let sum = bias ? (bias[o] ?? Number.NaN) : 0;
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = oh * strideHeight + kh - padInfo.top;
            if (ih < 0 || ih >= inHeight) continue;
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = ow * strideWidth + kw - padInfo.left;
              if (iw < 0 || iw >= inWidth) continue;
              for (let c = 0; c < ci; c++) {
                const xv = x[((n * inHeight + ih) * inWidth + iw) * ci + c] ?? Number.NaN;
                sum += xv * (w[((kh * filterWidth + kw) * ci + c) * co + o] ?? Number.NaN);
              }
            }
          }
          y[((n * outHeight + oh) * outWidth + ow) * co + o] = relu && sum < 0 ? 0 : sum;
        }
      }
    }
  }
  return y;
}

/** Layers from a seed that the SIMD kernel takes: Ci 1–2 with Co 1–19, or Ci 3–4 with Co 1–8; batch 1–3, strides 1–3, asymmetric pads. */
function layers(count: number, seed: number): Layer[] {
  const r = seeded(count * 14, seed);
  const out: Layer[] = [];
  for (let i = 0; i < count; i++) {
    const pick = (k: number, lo: number, hi: number) =>
      lo + Math.floor(((r[i * 14 + k] ?? 0) + 1) * 0.5 * (hi - lo + 1));
    const [kh, kw, ci] = [pick(0, 1, 6), pick(1, 1, 6), pick(2, 1, 4)];
    const pad: Explicit = [
      [0, 0],
      [pick(3, 0, kh - 1), pick(4, 0, kh - 1)],
      [pick(5, 0, kw - 1), pick(6, 0, kw - 1)],
      [0, 0],
    ];
    const x: Shape4 = [pick(7, 1, 3), kh + pick(8, 0, 11), kw + pick(9, 0, 11), ci];
    const filter: Shape4 = [kh, kw, ci, ci <= 2 ? pick(10, 1, 19) : pick(10, 1, 8)];
    const activation = pick(13, 0, 1) ? 'relu' : 'linear';
    out.push({ x, filter, strides: [pick(11, 1, 3), pick(12, 1, 3)], pad, bias: pick(12, 0, 1) === 1, activation });
  }
  return out;
}

const LENET_C1: Layer = {
  x: [64, 28, 28, 1],
  filter: [5, 5, 1, 6],
  strides: [1, 1],
  pad: 2,
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

afterEach(() => {
  delete process.env.CONVKIT_WASM_SIMD;
});

describe('wasm FusedConv2D by the SIMD kernel', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it("is LeNet-5's first layer's route; wider inputs, other activations and no module keep the stock kernel", () => {
    expect(simdKernels(tf.findBackend('wasm') as BackendWasm)).toBeDefined();
    expect(routeOf(LENET_C1)).toBe('simd');
    expect(routeOf(LENET_C1, false)).toBe('stock');
    expect(routeOf({ ...LENET_C1, x: [64, 14, 14, 6], filter: [5, 5, 6, 16], pad: 'valid' })).toBe('stock');
    for (const activation of ['elu', 'leakyrelu', 'prelu'] as const)
      expect(routeOf({ ...LENET_C1, activation })).toBe('stock');
  });

  it('matches a float64 oracle, tfjs-cpu and the stock kernel on 60 random layers and LeNet-5 conv1 at batch 64', async () => {
    const cases = [...layers(60, 61), LENET_C1].filter((l) => Math.min(...infoOf(l).outShape) > 0);
    expect(cases.length).toBeGreaterThan(50);
    expect(cases.some((l) => l.x[0] === 1 && l.strides[0] > 1 && l.strides[1] > 1 && l.filter[3] % 4 !== 0)).toBe(true);
    for (const [i, l] of cases.entries()) {
      expect(routeOf(l), label(l)).toBe('simd');
      const d = dataOf(l, 7000 + 3 * i);
      const exact = forward(
        infoOf(l),
        d.x.values,
        d.filter.values,
        l.bias ? d.bias?.values : undefined,
        l.activation === 'relu',
      );
      const got = await fused('wasm', l, d);
      expect(got.shape).toEqual(infoOf(l).outShape);
      expect(maxRelativeError(got.values, exact), label(l)).toBeLessThan(1e-5);
      expect(maxRelativeError(got.values, (await fused('cpu', l, d)).values), label(l)).toBeLessThan(1e-4);
      process.env.CONVKIT_WASM_SIMD = '0';
      const stock = await fused('wasm', l, d);
      delete process.env.CONVKIT_WASM_SIMD;
      expect(maxRelativeError(stock.values, exact), `stock: ${label(l)}`).toBeLessThan(1e-4);
    }
  });

  it('hands other activations, PReLU weights and wide inputs to the stock kernel, equal to tfjs-cpu', async () => {
    const others: Layer[] = [
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'elu' },
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'leakyrelu' },
      { ...LENET_C1, x: [2, 28, 28, 1], activation: 'prelu' },
      { x: [2, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], pad: 'valid', bias: true, activation: 'relu' },
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

  it('writes nothing outside y and its scratch, and leaves x, the filter and the bias as they were', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('the SIMD kernels are not prepared');
    const [guard, canary] = [64, 12345.5];
    for (const [i, l] of [...layers(16, 63), LENET_C1].filter((c) => Math.min(...infoOf(c).outShape) > 0).entries()) {
      const info = infoOf(l);
      const d = dataOf(l, 9000 + 3 * i);
      const [x, w, b] = [d.x, d.filter, d.bias ?? host([l.filter[3]], 1)].map((h) => tf.tensor(h.values, h.shape));
      if (!x || !w || !b) throw new Error('three tensors expected');
      const size = tf.util.sizeFromShape(info.outShape);
      const y = tf.fill([size + 2 * guard], canary);
      const bytes = forwardScratchBytes(info);
      const scratch = simd.scratch(bytes + 4 * guard);
      new Float32Array(backend.typedArrayFromHeap(y).buffer).fill(
        canary,
        (scratch + bytes) / 4,
        (scratch + bytes) / 4 + guard,
      );
      const before = await Promise.all([x.data(), w.data(), b.data()]);
      simd.fn('conv2d_forward')(
        ...[heapOffset(backend, x), heapOffset(backend, w), heapOffset(backend, b), heapOffset(backend, y) + 4 * guard],
        ...[scratch, info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth],
        ...[info.outChannels, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth],
        ...[info.padInfo.top, info.padInfo.left, 1, l.activation === 'relu' ? 1 : 0],
      );
      const all = await y.data();
      const outside = [...all.subarray(0, guard), ...all.subarray(guard + size)];
      expect(
        outside.every((v) => v === canary),
        `around y: ${label(l)}`,
      ).toBe(true);
      const tail = new Float32Array(backend.typedArrayFromHeap(y).buffer, scratch + bytes, guard);
      expect(
        tail.every((v) => v === canary),
        `after the scratch: ${label(l)}`,
      ).toBe(true);
      const exact = forward(info, before[0], before[1], before[2], l.activation === 'relu');
      expect(maxRelativeError(all.subarray(guard, guard + size), exact), label(l)).toBeLessThan(1e-5);
      expect(await Promise.all([x.data(), w.data(), b.data()])).toEqual(before);
      tf.dispose([x, w, b, y]);
    }
  });
});
