import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, seeded, startNative } from '../../test/harness.js';

const ready = await startNative();

function geometry(seed: number) {
  const r = seeded(seed);
  const k = r(1, 4);
  const pads = ['same', 'valid', r(0, Math.floor(k / 2))] as const;
  const pad = pads[r(0, 2)] as 'same' | 'valid' | number;
  return {
    shape: [r(1, 3), r(k, k + 9), r(k, k + 9), r(1, 20)] as [number, number, number, number],
    k,
    stride: r(1, 3),
    pad,
    rounding: typeof pad === 'number' ? (['floor', 'ceil'] as const)[r(0, 1)] : undefined,
    seed,
  };
}

const cases = Array.from({ length: 20 }, (_, i) => geometry(2000 + i));
const label = (g: ReturnType<typeof geometry>) =>
  `[${g.shape}] ${g.k}×${g.k}/${g.stride} ${g.pad}${g.rounding ? ` ${g.rounding}` : ''}`;

describe.skipIf(!ready)('native pooling vs tfjs cpu', () => {
  it.each(cases.map((g) => [label(g), g] as const))(
    'max and average pooling, forward and gradient %s',
    async (_, g) => {
      await expectSameAsCpu(
        () => {
          const x = tf.randomNormal(g.shape, 0, 1, 'float32', g.seed) as tf.Tensor4D;
          const max = (xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, g.k, g.stride, g.pad, g.rounding);
          const avg = (xi: tf.Tensor) => tf.avgPool(xi as tf.Tensor4D, g.k, g.stride, g.pad, g.rounding);
          const weigh = (y: tf.Tensor) => tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', g.seed + 1)));
          const grads =
            g.rounding === 'ceil' ? [] : [tf.grad((xi) => weigh(max(xi)))(x), tf.grad((xi) => weigh(avg(xi)))(x)];
          return [max(x), avg(x), ...grads];
        },
        {
          kernels:
            g.rounding === 'ceil' ? ['MaxPool', 'AvgPool'] : ['MaxPool', 'AvgPool', 'MaxPoolGrad', 'AvgPoolGrad'],
        },
      );
    },
  );

  it('routes the gradient of tied, negative and NaN windows as tfjs does (first maximum, NaN never wins)', async () => {
    const values = [-1, -1, -3, Number.NaN, -2, -2, -2, -2, Number.NaN, Number.NaN, Number.NaN, Number.NaN, 5, 5, 5, 4];
    await expectSameAsCpu(
      () => {
        const x = tf.tensor4d(values, [1, 4, 4, 1]);
        return [tf.maxPool(x, 2, 2, 'valid'), tf.grad((xi) => tf.sum(tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid')))(x)];
      },
      { kernels: ['MaxPool', 'MaxPoolGrad'] },
    );
    const dx = tf.grad((xi) => tf.sum(tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d(values, [1, 4, 4, 1]));
    expect(Array.from(dx.dataSync())).toEqual([1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0]);
  });

  it('keeps AlexNet-sized channel counts split over threads (batch 1, 3×3 stride 2, 256 channels)', async () => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([1, 13, 13, 256], 0, 1, 'float32', 5) as tf.Tensor4D;
        return [
          tf.maxPool(x, 3, 2, 'valid'),
          tf.grad((xi) => tf.sum(tf.square(tf.maxPool(xi as tf.Tensor4D, 3, 2, 'valid'))))(x),
        ];
      },
      { kernels: ['MaxPool', 'MaxPoolGrad'] },
    );
  });
});

describe.skipIf(!ready)('native max-pool gradient, windows that tile the input', () => {
  it.each([
    [[4, 7, 7, 3], 'same'],
    [[4, 7, 9, 5], 'valid'],
    [[3, 8, 8, 16], 'valid'],
  ] as const)('[%j] 2×2/2 %s', async (shape, pad) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([...shape], 0, 1, 'float32', 9) as tf.Tensor4D;
        return tf.grad((xi) => tf.sum(tf.mul(tf.maxPool(xi as tf.Tensor4D, 2, 2, pad), 3)))(x);
      },
      { kernels: ['MaxPoolGrad'] },
    );
  });
});

// native/pool_tiled.h: 2×2 windows at stride 2 without padding, the channel count a compile-time constant for
// small counts (1, 2, 3, 4, 6, 8, 16) in the forward and a run-time one elsewhere; odd sizes leave a row or column out.
describe.skipIf(!ready)('native 2×2/2 max pooling (pool_tiled.h) vs tfjs cpu, exactly', () => {
  it.each([
    [[2, 28, 28, 6]],
    [[3, 10, 10, 16]],
    [[2, 7, 9, 1]],
    [[2, 6, 5, 5]],
    [[1, 4, 6, 3]],
    [[2, 5, 4, 8]],
    [[1, 2, 2, 20]],
  ] as const)('[%j] forward and gradient', async (shape) => {
    await expectSameAsCpu(
      () => {
        const x = tf.randomNormal([...shape], 0, 1, 'float32', 11) as tf.Tensor4D;
        const pool = (xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid');
        const r = tf.randomNormal(pool(x).shape, 0, 1, 'float32', 12);
        return [pool(x), tf.grad((xi) => tf.sum(tf.mul(pool(xi), r)))(x)];
      },
      { kernels: ['MaxPool', 'MaxPoolGrad'], rtol: 0, atol: 0 },
    );
  });

  it('picks the same element as tfjs in ties, signed zeros, NaN and -Infinity windows, per channel', async () => {
    // 3 channels of one 4×4 image; each channel's windows mix ties, NaN, ±0 and all -Infinity.
    const inf = Number.NEGATIVE_INFINITY;
    const nan = Number.NaN;
    const channels = [
      [-0, 0, 2, 2, 0, -0, 2, 2, inf, inf, 1, nan, inf, inf, 3, 1],
      [nan, nan, nan, nan, nan, nan, -0, 0, 5, 5, 4, 5, -1, inf, 5, 4],
      [-3, -2, -2, -3, 7, 7, 7, 7, inf, 0, inf, -0, 0, -0, -0, 0],
    ];
    // channels[c] is row-major over the 4×4 image; NHWC puts the channel innermost.
    const values = Array.from({ length: 48 }, (_, i) => channels[i % 3]?.[Math.floor(i / 3)] ?? 0);
    const run = () => {
      const x = tf.tensor4d(values, [1, 4, 4, 3]);
      const pool = (xi: tf.Tensor) => tf.maxPool(xi as tf.Tensor4D, 2, 2, 'valid');
      const r = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 2, 2, 3]);
      return [pool(x), tf.grad((xi) => tf.sum(tf.mul(pool(xi), r)))(x)];
    };
    await expectSameAsCpu(run, { kernels: ['MaxPool', 'MaxPoolGrad'], rtol: 0, atol: 0 });
    // Signed zeros too, which a tolerance cannot tell apart.
    const onNative = await Promise.all(run().map((t) => t.data()));
    await tf.setBackend('cpu');
    const onCpu = await Promise.all(run().map((t) => t.data()));
    await tf.setBackend('native');
    onNative.forEach((out, i) => {
      expect(Array.from(out).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
        Array.from(onCpu[i] ?? []).map((v) => (Object.is(v, -0) ? '-0' : v)),
      );
    });
    tf.disposeVariables();
  });
});
