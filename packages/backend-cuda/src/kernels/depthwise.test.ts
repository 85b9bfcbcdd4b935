import * as tf from '@tensorflow/tfjs-core';
import { DepthwiseConv2dNativeBackpropInput } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';
import { cudaKernelCalls } from '../register.js';

const available = await startCuda();

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number;
  rounding?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 1], strides: 1, pad: 'same' },
  { x: [1, 8, 9, 2], filter: [3, 3, 2, 2], strides: 2, pad: 'same' }, // multiplier 2, stride 2
  { x: [2, 9, 7, 3], filter: [3, 2, 3, 2], strides: [2, 1], pad: 'valid' },
  { x: [1, 6, 7, 4], filter: [2, 3, 4, 1], strides: 1, pad: 1 },
  {
    x: [1, 6, 5, 2],
    filter: [3, 3, 2, 2],
    strides: 2,
    pad: [
      [0, 0],
      [1, 0],
      [0, 2],
      [0, 0],
    ],
  },
  { x: [1, 8, 8, 3], filter: [3, 3, 3, 1], strides: 2, pad: 1, rounding: 'ceil' },
  { x: [1, 5, 6, 3], filter: [1, 1, 3, 2], strides: 1, pad: 'valid' },
];

const dilated: Case[] = [
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 1], strides: 1, pad: 'same', dilations: 2 },
  { x: [2, 9, 8, 2], filter: [3, 2, 2, 2], strides: 1, pad: 'valid', dilations: 2 },
];

// The filter gradient splits the pixels across blocks when there are many: these take that path.
const large: Case[] = [
  { x: [2, 17, 17, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { x: [2, 10, 10, 16], filter: [3, 3, 16, 2], strides: 1, pad: 'same' },
];

const convolve = (c: Case) => (x: tf.Tensor, f: tf.Tensor) =>
  tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations ?? 1, c.rounding);

describe.skipIf(!available)('cuda depthwise convolution (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('forward: multiplier 1 and 2, strides, same/valid/numeric/explicit pads, ceil rounding, dilation 2', async () => {
    for (const [i, c] of [...cases, ...dilated].entries()) {
      await expectSameOnCuda(
        () => convolve(c)(seededTensor(900 + i, c.x) as tf.Tensor4D, seededTensor(950 + i, c.filter) as tf.Tensor4D),
        { rtol: 1e-5, atol: 1e-5, gpuKernels: ['DepthwiseConv2dNative'] },
      );
    }
  });

  it('gradients of x and filter (tf.grads)', async () => {
    for (const [i, c] of [...cases, ...large].entries()) {
      const x = seededTensor(1000 + i, c.x) as tf.Tensor4D;
      const f = seededTensor(1050 + i, c.filter) as tf.Tensor4D;
      const dy = tf.tidy(() => seededTensor(1100 + i, convolve(c)(x, f).shape));
      await expectSameOnCuda(() => tf.grads(convolve(c))([x, f], dy), {
        rtol: 1e-4,
        atol: 1e-4,
        gpuKernels: ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
      });
      tf.dispose([x, f, dy]);
    }
  });

  it('leaves dilated gradient kernels to tfjs (its cpu kernels ignore dilation)', async () => {
    const dy = seededTensor(1200, [1, 9, 9, 2]);
    const f = seededTensor(1201, [3, 3, 2, 1]);
    const attrs = { strides: 1, pad: 'same', dilations: [2, 2], inputShape: [1, 9, 9, 2] };
    const before = cudaKernelCalls().DepthwiseConv2dNativeBackpropInput?.cpu ?? 0;
    await expectSameOnCuda(
      () =>
        tf
          .engine()
          .runKernel(
            DepthwiseConv2dNativeBackpropInput,
            { dy, filter: f },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
    );
    expect(cudaKernelCalls().DepthwiseConv2dNativeBackpropInput?.cpu).toBe(before + 1);
    tf.dispose([dy, f]);
  });

  it('the binding refuses a bad geometry with a message that repeats it', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = backend.addon as unknown as {
      depthwiseConv2d(y: number, x: number, filter: number, geometry: Int32Array): void;
    };
    const x = tf.zeros([1, 4, 4, 2]);
    const f = tf.zeros([3, 3, 2, 1]);
    const geometry = (at: number, value: number) => {
      const g = Int32Array.from([1, 4, 4, 2, 4, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1]);
      g[at] = value;
      return g;
    };
    const [px, pf] = [backend.pointer(x), backend.pointer(f)];
    expect(() => addon.depthwiseConv2d(px, px, pf, geometry(6, 0))).toThrow(
      /depthwiseConv2d: geometry multiplier must be >= 1, received 0/,
    );
    expect(() => addon.depthwiseConv2d(px, px, pf, geometry(14, -1))).toThrow(
      /depthwiseConv2d: geometry padLeft must be >= 0, received -1/,
    );
    expect(() => addon.depthwiseConv2d(px, px, pf, geometry(4, 100))).toThrow(
      /y \(argument 0\) is too small: needs 800 elements/,
    );
    tf.dispose([x, f]);
  });
});
