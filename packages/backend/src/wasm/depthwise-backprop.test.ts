import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convLoss, finiteDifference, geometry, host, maxRelativeError, runOn } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  dilations: number;
  pad: Pad;
}

function dyShape(c: Case): number[] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations, c.pad, undefined, true).outShape;
}

function counts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

const explicit: tf.backend_util.ExplicitPadding = [
  [0, 0],
  [2, 0],
  [1, 1],
  [0, 0],
];

describe('wasm depthwise convolution gradients', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('match tfjs-cpu (strides 1–3, multipliers 1–3, all paddings, batch > 1)', async () => {
    await tf.setBackend('wasm');
    const before = counts();
    const cases: Case[] = [
      { x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, dilations: 1, pad: 'same' },
      { x: [3, 8, 9, 4], filter: [3, 3, 4, 2], strides: 2, dilations: 1, pad: 'same' },
      { x: [2, 9, 8, 2], filter: [5, 3, 2, 3], strides: 2, dilations: 1, pad: 'valid' },
      { x: [2, 10, 10, 5], filter: [3, 3, 5, 1], strides: 3, dilations: 1, pad: 'valid' },
      { x: [1, 6, 7, 2], filter: [3, 2, 2, 2], strides: 1, dilations: 1, pad: explicit },
      { x: [2, 12, 12, 32], filter: [3, 3, 32, 1], strides: 2, dilations: 1, pad: 'same' }, // MobileNet-like
    ];
    for (const [i, c] of cases.entries()) {
      const x = host(c.x, 10 + i);
      const w = host(c.filter, 20 + i);
      const dy = host(dyShape(c), 30 + i);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const label = `x ${c.x} filter ${c.filter} strides ${c.strides} pad ${JSON.stringify(c.pad)}`;
      const filterAttrs = { ...attrs, filterShape: c.filter };
      const dwCpu = await runOn('cpu', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, filterAttrs);
      const dwWasm = await runOn('wasm', 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, filterAttrs);
      expect(dwWasm.shape, label).toEqual(c.filter);
      expect(maxRelativeError(dwWasm.values, dwCpu.values), label).toBeLessThan(1e-4);
      const inputAttrs = { ...attrs, inputShape: c.x };
      const dxCpu = await runOn('cpu', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, inputAttrs);
      const dxWasm = await runOn('wasm', 'DepthwiseConv2dNativeBackpropInput', { dy, filter: w }, inputAttrs);
      expect(dxWasm.shape, label).toEqual(c.x);
      expect(maxRelativeError(dxWasm.values, dxCpu.values), label).toBeLessThan(1e-4);
    }
    await tf.setBackend('wasm');
    expect(counts()).toEqual(before);
  });

  it('agree with finite differences, dilation included (which tfjs-cpu ignores)', async () => {
    const cases: Case[] = [
      { x: [2, 6, 6, 2], filter: [3, 3, 2, 2], strides: 2, dilations: 1, pad: 'same' },
      { x: [2, 7, 6, 2], filter: [3, 2, 2, 1], strides: 1, dilations: 2, pad: 'same' },
      { x: [1, 8, 7, 3], filter: [2, 3, 3, 2], strides: 1, dilations: 2, pad: explicit },
    ];
    for (const [i, c] of cases.entries()) {
      const g = geometry(c.x, c.filter, c.strides, c.dilations, c.pad, true);
      const x = host(c.x, 50 + i);
      const w = host(c.filter, 60 + i);
      const dy = host(dyShape(c), 70 + i);
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad };
      const dw = await runOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropFilter',
        { x, dy },
        { ...attrs, filterShape: c.filter },
      );
      const dx = await runOn(
        'wasm',
        'DepthwiseConv2dNativeBackpropInput',
        { dy, filter: w },
        { ...attrs, inputShape: c.x },
      );
      const expectDw = finiteDifference(Float64Array.from(w.values), (p) => convLoss(g, x.values, p, dy.values));
      const expectDx = finiteDifference(Float64Array.from(x.values), (p) => convLoss(g, p, w.values, dy.values));
      expect(maxRelativeError(dw.values, expectDw)).toBeLessThan(1e-4);
      expect(maxRelativeError(dx.values, expectDx)).toBeLessThan(1e-4);
    }
  });

  it('train a depthwise layer through tf.grads on wasm like on cpu', async () => {
    const x = host([2, 8, 8, 3], 90);
    const w = host([3, 3, 3, 2], 91);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const inputs = [tf.tensor(x.values, x.shape), tf.tensor(w.values, w.shape)];
      const outputs = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf
          .depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')
          .square()
          .sum(),
      )(inputs);
      const values = await Promise.all(outputs.map((t) => t.data()));
      tf.dispose([...inputs, ...outputs]);
      return values;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (const k of [0, 1]) expect(maxRelativeError(wasm[k] ?? [], cpu[k] ?? [])).toBeLessThan(1e-4);
  });
});
