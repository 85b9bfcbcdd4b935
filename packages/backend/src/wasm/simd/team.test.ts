import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardedRun } from '../../../test/simd-conv.js';
import { seeded } from '../../../test/wasm-oracles.js';
import { initBackend } from '../../index.js';
import { inputGradScratchBytes, runInputGradKernel } from '../conv2d-backprop-input.js';
import { forwardScratchBytes, runForwardKernel } from '../fused-conv2d.js';
import { batchParts, partScratchBytes } from '../simd-conv.js';
import { heapOffset, type SimdKernels, simdKernels } from './module.js';

/** Set when the whole run turned the SIMD kernels off: there is no team to test. */
const runWithoutSimd = process.env.CONVKIT_WASM_SIMD === '0';

const wasmBackend = (): BackendWasm => tf.backend() as BackendWasm;

function kernels(): SimdKernels {
  const simd = simdKernels(wasmBackend());
  if (!simd) throw new Error('no SIMD kernels on the wasm backend');
  return simd;
}

/** Conv2DInfo of an NHWC convolution with an HWIO filter. */
function convInfo(x: number[], filter: number[], stride: number, pad: number) {
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    stride,
    1,
    pad,
  );
}

describe('batchParts', () => {
  it('splits a batch into contiguous parts that differ by one image at most, never more parts than images', () => {
    expect(batchParts(64, 2)).toEqual([
      [0, 32],
      [32, 32],
    ]);
    expect(batchParts(5, 2)).toEqual([
      [0, 2],
      [2, 3],
    ]);
    expect(batchParts(7, 3)).toEqual([
      [0, 2],
      [2, 2],
      [4, 3],
    ]);
    expect(batchParts(1, 4)).toEqual([[0, 1]]);
    expect(batchParts(3, 1)).toEqual([[0, 3]]);
  });
});

describe.skipIf(runWithoutSimd)('the SIMD kernels on helper threads (threaded wasm, 2 threads)', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm', { threads: 2 });
  });

  it('have a helper beside the calling thread; the single-threaded build has none', async () => {
    expect(kernels().threads).toBe(2);
    await initBackend('wasm', { threads: 1 });
    expect(kernels().threads).toBe(1);
    await initBackend('wasm', { threads: 2 });
    expect(kernels().threads).toBe(2);
  });

  it.each([
    { x: [64, 28, 28, 1], filter: [5, 5, 1, 6], stride: 1, pad: 2, route: 'simd' as const },
    { x: [5, 14, 14, 6], filter: [5, 5, 6, 16], stride: 1, pad: 0, route: 'wide' as const },
    { x: [3, 9, 7, 3], filter: [3, 3, 3, 5], stride: 2, pad: 1, route: 'simd' as const },
  ])('forward $x * $filter: split over the batch, the same bits as one call, nothing written outside', async (c) => {
    const info = convInfo(c.x, c.filter, c.stride, c.pad);
    const x = tf.tensor(seeded(tf.util.sizeFromShape(c.x), 1), c.x);
    const filter = tf.tensor(seeded(tf.util.sizeFromShape(c.filter), 2), c.filter);
    const bias = tf.tensor(seeded(c.filter[3] as number, 3));
    const backend = wasmBackend();
    const at = { x: heapOffset(backend, x), filter: heapOffset(backend, filter), bias: heapOffset(backend, bias) };
    const size = tf.util.sizeFromShape(info.outShape);
    const byThreads = (threads: number) => {
      const scratch = batchParts(info.batchSize, threads).length * partScratchBytes(forwardScratchBytes(info));
      const run = (y: number, s: number) =>
        runForwardKernel(kernels(), info, { ...at, y, scratch: s }, true, c.route, threads);
      return guardedRun(backend, kernels(), size, scratch, run, `${c.route} on ${threads} threads`);
    };
    const one = await byThreads(1);
    const two = await byThreads(2);
    tf.dispose([x, filter, bias]);
    expect(Array.from(two)).toEqual(Array.from(one));
  });

  it('input gradient, LeNet-5 conv2 at batch 64 and an odd batch: the same bits as one call', async () => {
    for (const n of [64, 3]) {
      const info = convInfo([n, 14, 14, 6], [5, 5, 6, 16], 1, 0);
      const dy = tf.tensor(seeded(tf.util.sizeFromShape(info.outShape), 4), info.outShape);
      const filter = tf.tensor(seeded(5 * 5 * 6 * 16, 5), [5, 5, 6, 16]);
      const backend = wasmBackend();
      const at = { dy: heapOffset(backend, dy), filter: heapOffset(backend, filter) };
      const size = tf.util.sizeFromShape(info.inShape);
      const byThreads = (threads: number) => {
        const scratch = batchParts(n, threads).length * partScratchBytes(inputGradScratchBytes(info));
        const run = (dx: number, s: number) => runInputGradKernel(kernels(), info, { ...at, dx, scratch: s }, threads);
        return guardedRun(backend, kernels(), size, scratch, run, `batch ${n} on ${threads} threads`);
      };
      const one = await byThreads(1);
      const two = await byThreads(2);
      tf.dispose([dy, filter]);
      expect(Array.from(two), `batch ${n}`).toEqual(Array.from(one));
    }
  });

  it('filter gradient through tfjs: the parts summed agree with tfjs-cpu within float32 rounding', async () => {
    const x = seeded(64 * 28 * 28, 6);
    const dy = seeded(64 * 28 * 28 * 6, 7);
    const attrs = { strides: 1, pad: 2, dataFormat: 'NHWC', dilations: 1, filterShape: [5, 5, 1, 6] };
    const on = async (name: string) => {
      await tf.setBackend(name);
      const inputs = { x: tf.tensor(x, [64, 28, 28, 1]), dy: tf.tensor(dy, [64, 28, 28, 6]) };
      const dw = tf.engine().runKernel('Conv2DBackpropFilter', inputs, attrs as never) as tf.Tensor;
      const values = (await dw.data()) as Float32Array;
      tf.dispose([dw, inputs.x, inputs.dy]);
      return values;
    };
    const split = await on('wasm');
    expect(kernels().threads).toBe(2);
    const cpu = await on('cpu');
    await tf.setBackend('wasm');
    const scale = Math.max(...cpu.map(Math.abs));
    const worst = Math.max(...split.map((v, i) => Math.abs(v - (cpu[i] as number))));
    expect(worst / scale).toBeLessThan(1e-5);
  });
});
