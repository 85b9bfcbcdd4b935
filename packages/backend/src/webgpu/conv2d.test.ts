// convkit's WebGPU convolution kernels against tfjs-cpu's stock kernels (an
// independent implementation: plain loops) on layer geometries chosen to
// reach every branch of the loaders: stride, padding (same, valid, explicit,
// numeric), dilation, odd sizes, channel counts that do and do not fill a
// tile, and a filter gradient large enough to be split across workgroups.
// Skipped where no WebGPU adapter starts (no Vulkan driver), except on CI.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HostTensor, host, maxRelativeError, runOn } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { webgpuKernels } from './index.js';
import { chooseSplits, chooseTiling, invocations } from './tiling.js';

const webgpu = await initBackend('webgpu').then(
  () => true,
  (error: unknown) => {
    if (process.env.CI) throw error;
    return false;
  },
);

interface Case {
  name: string;
  x: number[];
  w: number[];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dilations?: number;
}

const CASES: Case[] = [
  { name: 'LeNet-5 c1: 5×5, 1→6, pad 2', x: [4, 28, 28, 1], w: [5, 5, 1, 6], strides: 1, pad: 2 },
  { name: 'LeNet-5 c3: 5×5, 6→16, valid', x: [4, 14, 14, 6], w: [5, 5, 6, 16], strides: 1, pad: 'valid' },
  { name: '3×3 same, odd sides, 3→5', x: [2, 9, 7, 3], w: [3, 3, 3, 5], strides: 1, pad: 'same' },
  { name: '3×3 stride 2 same, odd side, 5→40', x: [3, 11, 11, 5], w: [3, 3, 5, 40], strides: 2, pad: 'same' },
  { name: '11×11 stride 4, pad 2 (AlexNet conv1)', x: [2, 35, 35, 3], w: [11, 11, 3, 8], strides: 4, pad: 2 },
  { name: '2×3 kernel, strides [2, 3], valid', x: [2, 10, 13, 4], w: [2, 3, 4, 7], strides: [2, 3], pad: 'valid' },
  { name: '1×1, 17→33', x: [2, 6, 6, 17], w: [1, 1, 17, 33], strides: 1, pad: 'valid' },
];

async function sameAsCpu(kernel: string, inputs: Record<string, HostTensor>, attrs: object): Promise<number> {
  const cpu = await runOn('cpu', kernel, inputs, attrs);
  const gpu = await runOn('webgpu', kernel, inputs, attrs);
  expect(gpu.shape).toEqual(cpu.shape);
  return maxRelativeError(gpu.values, cpu.values);
}

describe('tiling of the gathered product', () => {
  it('keeps narrow outputs in narrow tiles, and few rows in short ones', () => {
    expect(chooseTiling(50_176, 6)).toEqual({ tileCols: 8, tileRows: 256, tileInner: 16, narrow: true });
    expect(invocations(chooseTiling(50_176, 6))).toBe(64);
    expect(chooseTiling(12_544, 16)).toEqual({ tileCols: 16, tileRows: 64, tileInner: 16 });
    expect(chooseTiling(3_456, 384)).toEqual({ tileCols: 32, tileRows: 32, tileInner: 16 });
    // LeNet-5 c1's filter gradient: 25 taps × 6 channels.
    expect(chooseTiling(25, 6)).toEqual({ tileCols: 8, tileRows: 32, tileInner: 16 });
    expect(invocations(chooseTiling(25, 6))).toBe(16);
  });

  it('splits a long inner dimension only when there are few tiles', () => {
    // LeNet-5 c1's filter gradient: 25 × 6 outputs, 64·28·28 pixels → one tile, split 64 ways.
    expect(chooseSplits({ rows: 25, cols: 6, inner: 50_176 }, chooseTiling(25, 6))).toBe(64);
    // A forward product with thousands of tiles is never split.
    expect(chooseSplits({ rows: 50_176, cols: 64, inner: 576 }, chooseTiling(50_176, 64))).toBe(1);
    // Too short an inner dimension to split.
    expect(chooseSplits({ rows: 25, cols: 6, inner: 300 }, chooseTiling(25, 6))).toBe(1);
  });
});

describe.skipIf(!webgpu)('convkit WebGPU convolution kernels equal tfjs-cpu', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('webgpu');
  });

  it('are the ones registered for webgpu', () => {
    for (const k of webgpuKernels) expect(tf.getKernel(k.kernelName, 'webgpu')?.kernelFunc).toBe(k.kernelFunc);
  });

  it.each(CASES)('Conv2D: $name', async (c) => {
    const inputs = { x: host(c.x, 1), filter: host(c.w, 2) };
    const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: 1 };
    expect(await sameAsCpu(tf.Conv2D, inputs, attrs)).toBeLessThan(1e-4);
  });

  it('Conv2D with dilation 2 and 3, same and valid', async () => {
    for (const [d, pad] of [
      [2, 'same'],
      [3, 'valid'],
    ] as const) {
      const inputs = { x: host([2, 13, 12, 3], 3), filter: host([3, 3, 3, 6], 4) };
      const attrs = { strides: 1, pad, dataFormat: 'NHWC', dilations: d };
      expect(await sameAsCpu(tf.Conv2D, inputs, attrs)).toBeLessThan(1e-4);
    }
  });

  it.each(CASES)('Conv2DBackpropInput: $name', async (c) => {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.w as never, c.strides, 1, c.pad);
    const inputs = { dy: host(info.outShape, 5), filter: host(c.w, 6) };
    const attrs = { inputShape: c.x, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    expect(await sameAsCpu(tf.Conv2DBackpropInput, inputs, attrs)).toBeLessThan(1e-4);
  });

  it.each(CASES)('Conv2DBackpropFilter: $name', async (c) => {
    const info = tf.backend_util.computeConv2DInfo(c.x as never, c.w as never, c.strides, 1, c.pad);
    const inputs = { x: host(c.x, 7), dy: host(info.outShape, 8) };
    const attrs = { filterShape: c.w, strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
    expect(await sameAsCpu(tf.Conv2DBackpropFilter, inputs, attrs)).toBeLessThan(1e-4);
  });

  it('Conv2DBackpropFilter split across workgroups (LeNet-5 c1 at batch 64)', async () => {
    const inputs = { x: host([64, 28, 28, 1], 9), dy: host([64, 28, 28, 6], 10) };
    const attrs = { filterShape: [5, 5, 1, 6], strides: 1, pad: 2, dataFormat: 'NHWC' };
    expect(await sameAsCpu(tf.Conv2DBackpropFilter, inputs, attrs)).toBeLessThan(1e-4);
  });

  it('hands NCHW to tfjs’ own kernel', async () => {
    const x = host([1, 2, 5, 5], 11);
    const filter = host([3, 3, 2, 4], 12);
    await tf.setBackend('webgpu');
    const out = tf
      .engine()
      .runKernel(tf.Conv2D, { x: tf.tensor(x.values, x.shape), filter: tf.tensor(filter.values, filter.shape) }, {
        strides: 1,
        pad: 'valid',
        dataFormat: 'NCHW',
        dilations: 1,
      } as never) as tf.Tensor;
    expect(out.shape).toEqual([1, 4, 3, 3]);
    tf.dispose(out);
  });
});
