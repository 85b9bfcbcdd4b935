import { initBackend } from '@convkit/backend';
import type { Padding2d } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { ConfigError } from './errors.js';
import { LpPool2d, type LpPool2dConfig } from './lp-pool.js';
import { sequential } from './sequential.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

type Pair = [number, number];

/** Independent oracle: slide the window over the zero-padded NHWC input and take the p-norm of each window. */
function naiveLpPool(
  x: number[],
  [n, h, w, c]: [number, number, number, number],
  [kh, kw]: Pair,
  [sh, sw]: Pair,
  [[top, bottom], [left, right]]: [Pair, Pair],
  p: number,
): { shape: number[]; values: number[] } {
  const oh = Math.floor((h + top + bottom - kh) / sh) + 1;
  const ow = Math.floor((w + left + right - kw) / sw) + 1;
  const values: number[] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++) {
              const r = i * sh + di - top;
              const q = j * sw + dj - left;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              sum += Math.abs(x[((b * h + r) * w + q) * c + ch] as number) ** p;
            }
          values.push(sum ** (1 / p));
        }
  return { shape: [n, oh, ow, c], values };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i] as number, expected[i] as number];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) expect.fail(`element ${i}: ${a} vs ${e}`);
  }
}

describe('LpPool2d passes runLayerTest', () => {
  it.each([
    ['L2 2×2', { kernel: 2 }],
    ['L2 3×3/2 padding 1', { kernel: 3, stride: 2, padding: 1 }],
    ['p 3, 2×3 stride 1, same', { kernel: [2, 3] as [number, number], stride: 1, padding: 'same' as const, p: 3 }],
    [
      'p 1, per-side padding',
      {
        kernel: 2,
        padding: [
          [0, 1],
          [1, 0],
        ] as Padding2d,
        p: 1,
      },
    ],
  ])('%s', async (_, config) => {
    const report = await runLayerTest(() => new LpPool2d(config as LpPool2dConfig), { input: [7, 6, 3] });
    expect(report.weights).toEqual([]);
  });

  it.each([1, 2, 3])('after a convolution, p %i: gradients reach the kernel through the pooling', async (p) => {
    const report = await runLayerTest(
      () => sequential([new Conv2d({ filters: 3, kernel: 3 }), new LpPool2d({ kernel: 2, p })]),
      { input: [6, 6, 2] },
    );
    expect(report.checkedGradients).toBeGreaterThan(0);
  });
});

describe('LpPool2d against a plain loop', () => {
  it.each([
    [
      'L2 2×2',
      { kernel: 2 },
      [2, 2] as Pair,
      [2, 2] as Pair,
      [
        [0, 0],
        [0, 0],
      ] as [Pair, Pair],
      2,
    ],
    [
      'L2 3×3/2 padding 1',
      { kernel: 3, stride: 2, padding: 1 },
      [3, 3],
      [2, 2],
      [
        [1, 1],
        [1, 1],
      ],
      2,
    ],
    [
      'p 3, 2×3 stride 1',
      { kernel: [2, 3], stride: 1, p: 3 },
      [2, 3],
      [1, 1],
      [
        [0, 0],
        [0, 0],
      ],
      3,
    ],
    [
      'p 1.5, per-side padding',
      {
        kernel: 2,
        padding: [
          [0, 1],
          [2, 0],
        ],
        p: 1.5,
      },
      [2, 2],
      [2, 2],
      [
        [0, 1],
        [2, 0],
      ],
      1.5,
    ],
    [
      'p 0.5',
      { kernel: 2, stride: 1, p: 0.5 },
      [2, 2],
      [1, 1],
      [
        [0, 0],
        [0, 0],
      ],
      0.5,
    ],
    [
      'p 1',
      { kernel: 3, stride: 1, p: 1 },
      [3, 3],
      [1, 1],
      [
        [0, 0],
        [0, 0],
      ],
      1,
    ],
  ] as [string, LpPool2dConfig, Pair, Pair, [Pair, Pair], number][])(
    '%s',
    async (_, config, kernel, stride, padding, p) => {
      const shape = [2, 5, 6, 3] as [number, number, number, number];
      const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
      const layer = new LpPool2d(config).build(shape.slice(1));
      const y = layer.apply(x);
      const expected = naiveLpPool(Array.from(await x.data()), shape, kernel, stride, padding, p);
      expect(y.shape).toEqual(expected.shape);
      expectClose(await y.data(), expected.values);
      tf.dispose([x, y]);
      layer.dispose();
    },
  );

  it('is a sum, not a mean: a 2×2 window of ones gives 2 for L2 and 4 for L1', async () => {
    const x = tf.ones([1, 2, 2, 1]);
    const l2 = new LpPool2d({ kernel: 2 }).build([2, 2, 1]);
    const l1 = new LpPool2d({ kernel: 2, p: 1 }).build([2, 2, 1]);
    const [a, b] = [l2.apply(x), l1.apply(x)];
    expect(Array.from(await a.data())).toEqual([2]);
    expect(Array.from(await b.data())).toEqual([4]);
    tf.dispose([x, a, b]);
  });

  it('has a finite gradient at all-zero windows and zero inputs (0 there)', async () => {
    for (const p of [0.5, 1, 2, 3]) {
      const layer = new LpPool2d({ kernel: 2, p }).build([4, 4, 1]);
      // Top-left window all zeros, the others mixed with zeros.
      const x = tf.tensor4d([0, 0, 1, 0, 0, 0, -2, 3, 0.5, 0, 0, 0, 1, -1, 0, 0], [1, 4, 4, 1]);
      const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t)))(x);
      const gv = Array.from(await g.data());
      expect(gv.every(Number.isFinite), `p ${p}: ${gv}`).toBe(true);
      expect(gv.slice(0, 2).concat(gv.slice(4, 6), [gv[3] as number])).toEqual([0, 0, 0, 0, 0]);
      // Where x ≠ 0 the gradient is ∂‖w‖_p/∂x = sign(x)·|x|^(p−1)·‖w‖_p^(1−p).
      const norm = (1 + 4 + 9) ** (1 / 2);
      if (p === 2) expect(gv[7]).toBeCloseTo(3 / norm, 5);
      tf.dispose([x, g]);
      layer.dispose();
    }
  });
});

describe('LpPool2d input gradient against central differences of the plain loop (float64)', () => {
  it.each([0.5, 1, 2, 3, 4])('p %s, 3×3/2 padding 1', async (p) => {
    const shape = [1, 5, 4, 2] as [number, number, number, number];
    const x = tf.randomNormal(shape, 0, 1, 'float32', 13);
    const base = Array.from(await x.data());
    const r = tf.randomUniform([1, 3, 2, 2], 0.5, 1.5, 'float32', 17);
    const weights = Array.from(await r.data());
    const layer = new LpPool2d({ kernel: 3, stride: 2, padding: 1, p }).build(shape.slice(1));
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t), r)))(x);
    const analytic = Array.from(await g.data());
    const objective = (v: number[]) =>
      naiveLpPool(
        v,
        shape,
        [3, 3],
        [2, 2],
        [
          [1, 1],
          [1, 1],
        ],
        p,
      ).values.reduce((s, y, i) => s + y * (weights[i] as number), 0);
    base.forEach((_, i) => {
      const step = 1e-6;
      const plus = base.map((v, k) => (k === i ? v + step : v));
      const minus = base.map((v, k) => (k === i ? v - step : v));
      const numeric = (objective(plus) - objective(minus)) / (2 * step);
      if (!(Math.abs((analytic[i] as number) - numeric) <= 1e-3 + 1e-3 * Math.abs(numeric)))
        expect.fail(`p ${p}, element ${i}: gradient ${analytic[i]}, finite difference ${numeric}`);
    });
    tf.dispose([x, r, g]);
    layer.dispose();
  });
});

describe('LpPool2d spec and configuration', () => {
  it('declares a pool spec with mode l2 or lp<p>', () => {
    expect(new LpPool2d({ name: 'l2', kernel: 2 }).specs([8, 8, 1])).toEqual([
      { type: 'pool', name: 'l2', mode: 'l2', kernel: 2, stride: 2, padding: 0 },
    ]);
    expect(new LpPool2d({ name: 'lp', kernel: 3, stride: 1, padding: 'same', p: 3 }).specs([8, 8, 1])).toEqual([
      { type: 'pool', name: 'lp', mode: 'lp3', kernel: 3, stride: 1, padding: 'same' },
    ]);
    expect(new LpPool2d({ kernel: 3, stride: 2 }).outputShape([55, 55, 96])).toEqual([27, 27, 96]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects p = %s with a ConfigError naming the layer', (p) => {
    expect(() => new LpPool2d({ name: 'lp1', kernel: 2, p })).toThrow(ConfigError);
    expect(() => new LpPool2d({ name: 'lp1', kernel: 2, p })).toThrow(
      `lp1: p must be a finite number > 0, received ${p}`,
    );
  });

  it('rejects a non-number p and a window larger than the input', () => {
    expect(() => new LpPool2d({ name: 'lp1', kernel: 2, p: '2' as never })).toThrow(
      'lp1: p must be a finite number > 0, received "2"',
    );
    expect(() => new LpPool2d({ name: 'lp2', kernel: 5 }).build([3, 3, 1])).toThrow(
      'lp2: kernel 5, more than the padded input 3',
    );
  });
});
