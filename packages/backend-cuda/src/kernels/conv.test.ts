import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';
import { cudaKernelCalls } from '../register.js';
import type { ConvFunctions } from './conv.js';
import { gpu } from './kernel.js';
import { forceGemmPlan } from './matmul.js';

const available = await startCuda();

type Pad = 'valid' | 'same' | number | [[number, number], [number, number], [number, number], [number, number]];
type Pair = number | [number, number];

interface Geometry {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: Pair;
  pad: Pad;
  dilations?: Pair;
}

const close = { rtol: 1e-4, atol: 1e-4 };
const FORWARD = { ...close, gpuKernels: ['Conv2D'] };
const GRADIENTS = { ...close, gpuKernels: ['Conv2DBackpropInput', 'Conv2DBackpropFilter'] };

let seed = 100;
function conv({ x, filter, strides, pad, dilations = 1 }: Geometry) {
  const s = seed++;
  return () =>
    tf.conv2d(
      seededTensor(s, x) as tf.Tensor4D,
      seededTensor(s + 50, filter) as tf.Tensor4D,
      strides,
      pad,
      'NHWC',
      dilations,
    );
}

/** d(sum(conv(x, f) · dy))/dx and /df, with seeded dy. */
function convGrads({ x, filter, strides, pad }: Geometry) {
  const s = seed++;
  const outShape = tf.backend_util.computeConv2DInfo(x, filter, strides, 1, pad).outShape;
  return () =>
    tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, strides, pad))(
      [seededTensor(s, x), seededTensor(s + 50, filter)],
      seededTensor(s + 25, outShape),
    );
}

const LENET1: Geometry = { x: [2, 28, 28, 1], filter: [5, 5, 1, 6], strides: 1, pad: 'valid' };
const LENET2: Geometry = { x: [1, 12, 12, 6], filter: [5, 5, 6, 16], strides: 1, pad: 'valid' };
const ALEXNET1: Geometry = { x: [1, 31, 31, 3], filter: [11, 11, 3, 8], strides: 4, pad: 'valid' };
const SAME_S2_VEC: Geometry = { x: [2, 9, 10, 8], filter: [3, 3, 8, 12], strides: 2, pad: 'same' };
const SAME_S1: Geometry = { x: [1, 8, 8, 5], filter: [3, 3, 5, 7], strides: 1, pad: 'same' };
const ASYMMETRIC: Geometry = {
  x: [1, 7, 9, 4],
  filter: [3, 2, 4, 6],
  strides: [2, 1],
  pad: [
    [0, 0],
    [2, 1],
    [0, 3],
    [0, 0],
  ],
};
const POINTWISE: Geometry = { x: [2, 5, 5, 8], filter: [1, 1, 8, 12], strides: 1, pad: 'valid' };
const POINTWISE_S2: Geometry = { x: [1, 7, 7, 4], filter: [1, 1, 4, 4], strides: 2, pad: 'valid' };
const SPARSE_TAPS: Geometry = { x: [1, 8, 8, 2], filter: [2, 2, 2, 3], strides: 3, pad: 'same' };

describe.skipIf(!available)('cuda convolutions as implicit GEMMs (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });
  afterEach(() => forceGemmPlan());

  it('runs LeNet-5 convolutions: 5×5 valid on 28×28×1 → 6, 12×12×6 → 16', async () => {
    await expectSameOnCuda(conv(LENET1), FORWARD);
    await expectSameOnCuda(conv(LENET2), FORWARD);
  });

  it('runs 3×3 same with stride 1 and 2, with and without float4 channel loads', async () => {
    await expectSameOnCuda(conv(SAME_S1), FORWARD);
    await expectSameOnCuda(conv({ ...SAME_S1, strides: 2 }), FORWARD);
    await expectSameOnCuda(conv(SAME_S2_VEC), FORWARD);
    await expectSameOnCuda(conv({ ...SAME_S2_VEC, strides: 1 }), FORWARD);
  });

  it('runs AlexNet conv1: 11×11, stride 4, 3 channels', async () => {
    await expectSameOnCuda(conv(ALEXNET1), FORWARD);
  });

  it('takes dilations, explicit asymmetric pads and rounding modes', async () => {
    await expectSameOnCuda(
      conv({ x: [1, 13, 13, 4], filter: [3, 3, 4, 5], strides: 1, pad: 'same', dilations: 2 }),
      FORWARD,
    );
    await expectSameOnCuda(
      conv({ x: [2, 11, 9, 3], filter: [3, 2, 3, 4], strides: 1, pad: 'valid', dilations: [2, 3] }),
      FORWARD,
    );
    await expectSameOnCuda(conv(ASYMMETRIC), FORWARD);
    await expectSameOnCuda(
      () =>
        tf.conv2d(
          seededTensor(1, [1, 10, 10, 2]) as tf.Tensor4D,
          seededTensor(2, [3, 3, 2, 3]) as tf.Tensor4D,
          2,
          1,
          'NHWC',
          1,
          'ceil',
        ),
      FORWARD,
    );
    await expectSameOnCuda(
      () =>
        tf.conv2d(
          seededTensor(3, [1, 10, 10, 2]) as tf.Tensor4D,
          seededTensor(4, [3, 3, 2, 3]) as tf.Tensor4D,
          2,
          1,
          'NHWC',
          1,
          'floor',
        ),
      FORWARD,
    );
  });

  it('runs 1×1 convolutions: pointwise (a plain GEMM) and strided', async () => {
    await expectSameOnCuda(conv(POINTWISE), FORWARD);
    await expectSameOnCuda(conv(POINTWISE_S2), FORWARD);
  });

  it('fuses a bias and an activation (FusedConv2D)', async () => {
    for (const activation of ['relu', 'linear', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await expectSameOnCuda(
        () =>
          tf.fused.conv2d({
            x: seededTensor(5, [2, 9, 9, 3], -2, 2) as tf.Tensor4D,
            filter: seededTensor(6, [3, 3, 3, 10]) as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: seededTensor(7, [10]),
            activation,
            leakyreluAlpha: 0.25,
          }),
        { ...close, gpuKernels: ['FusedConv2D'] },
      );
    }
    await expectSameOnCuda(
      () =>
        tf.fused.conv2d({
          x: seededTensor(8, [1, 6, 6, 4]) as tf.Tensor4D,
          filter: seededTensor(9, [1, 1, 4, 8]) as tf.Tensor4D,
          strides: 1,
          pad: 'valid',
          bias: tf.scalar(0.5),
          activation: 'relu',
        }),
      { ...close, gpuKernels: ['FusedConv2D'] },
    );
  });

  it('computes gradients with respect to x and the filter', async () => {
    for (const geometry of [
      LENET1,
      LENET2,
      SAME_S1,
      SAME_S2_VEC,
      ALEXNET1,
      ASYMMETRIC,
      POINTWISE,
      POINTWISE_S2,
      SPARSE_TAPS,
    ]) {
      await expectSameOnCuda(convGrads(geometry), GRADIENTS);
    }
  });

  it('gives the same results with every tile kind and with K split', async () => {
    for (const [tile, splits] of [
      [0, 1],
      [1, 1],
      [2, 1],
      [0, 3],
      [1, 2],
      [2, 5],
    ] as const) {
      forceGemmPlan(tile, splits);
      for (const geometry of [SAME_S2_VEC, SAME_S1]) {
        await expectSameOnCuda(conv(geometry), FORWARD);
        await expectSameOnCuda(convGrads(geometry), GRADIENTS);
      }
      await expectSameOnCuda(
        () =>
          tf.fused.conv2d({
            x: seededTensor(10, [1, 7, 7, 4]) as tf.Tensor4D,
            filter: seededTensor(11, [3, 3, 4, 8]) as tf.Tensor4D,
            strides: 1,
            pad: 'same',
            bias: seededTensor(12, [8]),
            activation: 'relu',
          }),
        { ...close, gpuKernels: ['FusedConv2D'] },
      );
    }
  });

  it('runs conv2dTranspose (Conv2DBackpropInput)', async () => {
    await expectSameOnCuda(
      () =>
        tf.conv2dTranspose(
          seededTensor(13, [2, 4, 4, 6]) as tf.Tensor4D,
          seededTensor(14, [3, 3, 5, 6]) as tf.Tensor4D,
          [2, 8, 8, 5],
          2,
          'same',
        ),
      { ...close, gpuKernels: ['Conv2DBackpropInput'] },
    );
  });

  it('handles an empty batch, and declines NCHW', async () => {
    await expectSameOnCuda(conv({ x: [0, 5, 5, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' }), FORWARD);
    const before = cudaKernelCalls().Conv2D?.cpu ?? 0;
    await expectSameOnCuda(
      () =>
        tf.conv2d(
          seededTensor(15, [1, 2, 6, 6]) as tf.Tensor4D,
          seededTensor(16, [3, 3, 2, 3]) as tf.Tensor4D,
          1,
          'same',
          'NCHW',
        ),
      close,
    );
    expect(cudaKernelCalls().Conv2D?.cpu).toBe(before + 1);
  });

  it('refuses bad arguments with a clear message', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = gpu<ConvFunctions>(backend);
    const x = tf.zeros([1, 5, 5, 2]);
    const f = tf.zeros([3, 3, 2, 4]);
    const y = tf.zeros([1, 5, 5, 4]);
    const p = (t: tf.Tensor) => backend.pointer(t);
    const geometry = [1, 5, 5, 2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    expect(() => addon.conv2d(p(x), p(f), p(y), Int32Array.from(geometry), null, 0, 0, 0)).not.toThrow();
    const noStride = [...geometry];
    noStride[9] = 0;
    expect(() => addon.conv2d(p(x), p(f), p(y), Int32Array.from(noStride), null, 0, 0, 0)).toThrow(
      /conv2d: geometry strideHeight must be >= 1, received 0/,
    );
    // An output size the window formula (convkit/geometry.h) does not give for this input is refused by name.
    const wrongOutput = [...geometry];
    wrongOutput[4] = 50;
    wrongOutput[5] = 50;
    expect(() => addon.conv2dBackpropInput(p(y), p(f), p(x), Int32Array.from(wrongOutput))).toThrow(
      /conv2dBackpropInput: geometry output 50x50 is not what the input, filter, strides, dilations and pads give \(5x5\)/,
    );
    const big = [...geometry];
    for (const i of [1, 2, 4, 5]) big[i] = 50;
    expect(() => addon.conv2dBackpropInput(p(y), p(f), p(x), Int32Array.from(big))).toThrow(
      /dy \(argument 0\) is too small: needs 10000 elements/,
    );
    expect(() => addon.conv2dBackpropFilter(p(x), p(y), p(f), Int32Array.from(geometry), 7)).toThrow(
      /tile must be -1 \(auto\), 0, 1 or 2, received 7/,
    );
    tf.dispose([x, f, y]);
  });
});
