import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, seeded, startNative } from '../../test/harness.js';

const ready = await startNative();

type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

/** A random convolution geometry: stride or dilation (tfjs takes one of the two above 1), any padding form. */
function geometry(seed: number) {
  const r = seeded(seed);
  const k = r(1, 4);
  const dilation = r(0, 2) === 0 ? r(2, 3) : 1;
  const stride = dilation > 1 ? 1 : r(1, 3);
  const span = dilation * (k - 1) + 1;
  const h = r(span, span + 9);
  const w = r(span, span + 9);
  const forms: Pad[] = [
    'same',
    'valid',
    r(0, 2),
    [
      [0, 0],
      [r(0, 2), r(0, 2)],
      [r(0, 2), r(0, 2)],
      [0, 0],
    ],
  ];
  const pad = forms[r(0, 3)] as Pad;
  const rounding = typeof pad === 'number' ? (['floor', 'ceil', 'round'] as const)[r(0, 2)] : undefined;
  return { batch: r(1, 3), h, w, inC: r(1, 9), outC: r(1, 9), k, stride, dilation, pad, rounding, seed };
}

const cases = Array.from({ length: 24 }, (_, i) => geometry(1000 + i));
const label = (g: ReturnType<typeof geometry>) =>
  `${g.batch}×${g.h}×${g.w}×${g.inC} k${g.k} →${g.outC} s${g.stride} d${g.dilation} pad ${JSON.stringify(g.pad)}${g.rounding ? ` ${g.rounding}` : ''}`;

describe.skipIf(!ready)('native convolution vs tfjs cpu', () => {
  it.each(cases.map((g) => [label(g), g] as const))('conv2d forward %s', async (_, g) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([g.batch, g.h, g.w, g.inC], 0, 1, 'float32', g.seed);
        const w = tf.randomNormal([g.k, g.k, g.inC, g.outC], 0, 0.5, 'float32', g.seed + 1);
        return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, g.stride, g.pad as never, 'NHWC', g.dilation, g.rounding);
      },
      { kernels: ['Conv2D'] },
    );
  });

  // tfjs-core's own gradients drop a rounding mode other than floor (its cpu kernels then differ from the forward).
  const undilated = cases.filter((g) => g.dilation === 1 && (g.rounding ?? 'floor') === 'floor');
  it.each(undilated.map((g) => [label(g), g] as const))('conv2d gradients (input and filter) %s', async (_, g) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([g.batch, g.h, g.w, g.inC], 0, 1, 'float32', g.seed);
        const w = tf.randomNormal([g.k, g.k, g.inC, g.outC], 0, 0.5, 'float32', g.seed + 1);
        const f = (xi: tf.Tensor, wi: tf.Tensor) => {
          const y = tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, g.stride, g.pad as never, 'NHWC', 1, g.rounding);
          return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', g.seed + 2)));
        };
        return tf.grads(f)([x, w]);
      },
      { kernels: ['Conv2DBackpropInput', 'Conv2DBackpropFilter'], rtol: 1e-3, atol: 1e-3 },
    );
  });

  it.each(cases.map((g) => [label(g), g] as const))('depthwise forward, multiplier 1–3 %s', async (_, g) => {
    const multiplier = (g.seed % 3) + 1;
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([g.batch, g.h, g.w, g.inC], 0, 1, 'float32', g.seed);
        const w = tf.randomNormal([g.k, g.k, g.inC, multiplier], 0, 0.5, 'float32', g.seed + 1);
        const pad = Array.isArray(g.pad) ? 'same' : g.pad; // depthwise takes no explicit padding in tfjs
        return tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, g.stride, pad, 'NHWC', g.dilation, g.rounding);
      },
      { kernels: ['DepthwiseConv2dNative'] },
    );
  });

  it.each(undilated.map((g) => [label(g), g] as const))('depthwise gradients %s', async (_, g) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([g.batch, g.h, g.w, g.inC], 0, 1, 'float32', g.seed);
        const w = tf.randomNormal([g.k, g.k, g.inC, 2], 0, 0.5, 'float32', g.seed + 1);
        const pad = Array.isArray(g.pad) ? 'same' : g.pad;
        const f = (xi: tf.Tensor, wi: tf.Tensor) =>
          tf.sum(
            tf.square(tf.depthwiseConv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, g.stride, pad, 'NHWC', 1, g.rounding)),
          );
        return tf.grads(f)([x, w]);
      },
      {
        kernels: ['DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'],
        rtol: 1e-3,
        atol: 1e-3,
      },
    );
  });

  it.each(['ceil', 'round'] as const)(
    "recovers the %s rounding that tfjs-core's gradient drops (checked against explicit padding)",
    async (rounding) => {
      const x = tf.randomNormal([1, 13, 11, 2], 0, 1, 'float32', 1);
      const w = tf.randomNormal([4, 4, 2, 3], 0, 1, 'float32', 2);
      const r = tf.randomNormal([1, 7, 6, 3], 0, 1, 'float32', 3);
      const rounded = (xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, 1, 'NHWC', 1, rounding), r));
      // 13 rows, pad 1, 4×4 stride 2: 6.5 windows, so 7 rows out with one more padding row at the end.
      const explicit = (xi: tf.Tensor, wi: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.conv2d(
              tf.pad(xi, [
                [0, 0],
                [1, 2],
                [1, 2],
                [0, 0],
              ]) as tf.Tensor4D,
              wi as tf.Tensor4D,
              2,
              'valid',
            ),
            r,
          ),
        );
      const [dx, dw] = tf.grads(rounded)([x, w]);
      const [dxRef, dwRef] = tf.grads(explicit)([x, w]);
      expect(tf.max(tf.abs(tf.sub(dx as tf.Tensor, dxRef as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-4);
      expect(tf.max(tf.abs(tf.sub(dw as tf.Tensor, dwRef as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-3);
      tf.dispose([x, w, r, dx, dw, dxRef, dwRef] as tf.Tensor[]);
    },
  );

  it.each(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const)(
    'fused conv2d with bias and %s',
    async (activation) => {
      await expectSameAsCpu(
        () => {
          const x = tf.randomNormal([2, 9, 8, 5], 0, 1, 'float32', 7) as tf.Tensor4D;
          const w = tf.randomNormal([3, 3, 5, 6], 0, 0.5, 'float32', 8) as tf.Tensor4D;
          const bias = tf.randomNormal([6], 0, 1, 'float32', 9);
          return tf.fused.conv2d({ x, filter: w, strides: 2, pad: 'same', bias, activation, leakyreluAlpha: 0.1 });
        },
        { kernels: ['FusedConv2D'] },
      );
    },
  );

  it('the same geometry with new weights each call (training) and old weights again (inference)', async () => {
    // The addon keeps blocked copies of recent filters, recognised by identity: new arrays must never hit a stale copy.
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([1, 8, 8, 16], 0, 1, 'float32', 1);
        const filters = [1, 2, 3, 4, 5, 6].map((s) => tf.randomNormal([3, 3, 16, 16], 0, 0.3, 'float32', s));
        const first = filters.map((f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
        const again = filters.map((f) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
        return [...first, ...again];
      },
      { kernels: ['Conv2D'] },
    );
  });

  // native/conv.cc splits a small filter gradient by images over the threads (one single-thread oneDNN primitive per
  // part, summed after): LeNet's two layers at batch 64, an odd batch (not split), strides, pads and depthwise
  // (tfjs-core has no gradient for dilated convolutions).
  it.each([
    [[64, 28, 28, 1], [5, 5, 1, 6], 1, 2, false],
    [[64, 14, 14, 6], [5, 5, 6, 16], 1, 0, false],
    [[3, 9, 9, 2], [3, 3, 2, 4], 1, 1, false],
    [[4, 11, 10, 3], [3, 3, 3, 5], 2, 1, false],
    [[2, 12, 12, 4], [3, 3, 4, 2], 3, 2, false],
    [[4, 9, 9, 3], [3, 3, 3, 2], 1, 1, true],
  ] as const)(
    'filter gradient of x %j, filter %j, stride %i, pad %i, depthwise %s',
    async (xs, ws, stride, pad, depthwise) => {
      await expectSameAsCpu(
        () => {
          const x = tf.randomNormal([...xs], 0, 1, 'float32', 21) as tf.Tensor4D;
          const w = tf.randomNormal([...ws], 0, 0.3, 'float32', 22) as tf.Tensor4D;
          const f = (wi: tf.Tensor) =>
            depthwise
              ? tf.depthwiseConv2d(x, wi as tf.Tensor4D, stride, pad)
              : tf.conv2d(x, wi as tf.Tensor4D, stride, pad);
          const r = tf.randomNormal(f(w).shape, 0, 1, 'float32', 23);
          return tf.grad((wi) => tf.sum(tf.mul(f(wi), r)))(w);
        },
        {
          kernels: [depthwise ? 'DepthwiseConv2dNativeBackpropFilter' : 'Conv2DBackpropFilter'],
          rtol: 1e-3,
          atol: 1e-3,
        },
      );
    },
  );

  it('hands NCHW to the cpu kernel', async () => {
    await expectSameAsCpu(() => {
      const x = tf.randomNormal([1, 3, 6, 6], 0, 1, 'float32', 1);
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2);
      return tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NCHW');
    });
  });
});
