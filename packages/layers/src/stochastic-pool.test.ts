import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { sequential } from './sequential.js';
import { StochasticPool2d, type StochasticPool2dConfig } from './stochastic-pool.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

type Pair = [number, number];
type Shape4 = [number, number, number, number];

/** The windows of an NHWC input as plain arrays: `[b, i, j, ch] → values`, in output order. */
function naiveWindows(x: number[], [n, h, w, c]: Shape4, [kh, kw]: Pair, [sh, sw]: Pair) {
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const windows: number[][] = [];
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          const window: number[] = [];
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++)
              window.push(x[((b * h + i * sh + di) * w + j * sw + dj) * c + ch] as number);
          windows.push(window);
        }
  return { shape: [n, oh, ow, c], windows };
}

/** Independent oracle of inference: Σ p_i a_i with p_i = a_i / Σ a over the (non-negative) window; 0 if Σ a = 0. */
const naiveExpectation = (window: number[]) => {
  const a = window.map((v) => Math.max(v, 0));
  const total = a.reduce((s, v) => s + v, 0);
  return total === 0 ? 0 : a.reduce((s, v) => s + (v / total) * v, 0);
};

describe('StochasticPool2d passes runLayerTest', () => {
  it.each([
    ['2×2', { kernel: 2 }],
    ['3×3/2 overlapping', { kernel: 3, stride: 2 }],
    ['2×3 stride [1, 2]', { kernel: [2, 3] as Pair, stride: [1, 2] as Pair }],
  ])('%s, inference and training', async (_, config) => {
    for (const training of [false, true]) {
      const report = await runLayerTest(() => new StochasticPool2d(config), { input: [7, 7, 3], training });
      expect(report.weights).toEqual([]);
    }
  });

  it('after a ReLU convolution: gradients reach the convolution (inference and training)', async () => {
    const make = () =>
      sequential([new Conv2d({ filters: 3, kernel: 3, activation: 'relu' }), new StochasticPool2d({ kernel: 2 })]);
    const inference = await runLayerTest(make, { input: [6, 6, 2] });
    expect(inference.checkedGradients).toBeGreaterThan(0);
    // A fixed seed fixes the draw; finite differences skip the points where a draw flips.
    const training = await runLayerTest(make, { input: [6, 6, 2], training: true });
    expect(training.checkedGradients).toBeGreaterThan(0);
  });
});

describe('StochasticPool2d at inference against a plain loop', () => {
  it.each([
    ['2×2', { kernel: 2 }, [2, 2], [2, 2]],
    ['3×3/2', { kernel: 3, stride: 2 }, [3, 3], [2, 2]],
    ['2×3 stride [1, 2]', { kernel: [2, 3], stride: [1, 2] }, [2, 3], [1, 2]],
  ] as [string, StochasticPool2dConfig, Pair, Pair][])('%s', async (_, config, kernel, stride) => {
    const shape: Shape4 = [2, 7, 8, 3];
    // Non-negative inputs with exact zeros (a ReLU's output); the second image all zeros.
    const x = tf.tidy(() => {
      const t = tf.relu(tf.randomNormal(shape, 0, 1, 'float32', 9));
      return tf.mul(t, tf.concat([tf.ones([1, 7, 8, 3]), tf.zeros([1, 7, 8, 3])], 0));
    });
    const values = Array.from(await x.data());
    const layer = new StochasticPool2d(config).build(shape.slice(1));
    const y = layer.apply(x);
    const expected = naiveWindows(values, shape, kernel, stride);
    expect(y.shape).toEqual(expected.shape);
    const got = Array.from(await y.data());
    expected.windows.forEach((window, i) => {
      const e = naiveExpectation(window);
      if (!(Math.abs((got[i] as number) - e) <= 1e-5 + 1e-5 * e)) expect.fail(`window ${i}: ${got[i]} vs ${e}`);
    });
    // The second image is all zeros: every output 0.
    expect(got.slice(got.length / 2).every((v) => v === 0)).toBe(true);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('Σ p·a of the window [1, 2, 3, 4] is 30/10 = 3; negative values count as 0', async () => {
    const layer = new StochasticPool2d({ kernel: 2 }).build([2, 2, 1]);
    const x = tf.tensor4d([1, 2, 3, 4, -1, 0, 0, 2], [2, 2, 2, 1]);
    const y = layer.apply(x);
    expect(Array.from(await y.data())).toEqual([3, 2]);
    tf.dispose([x, y]);
  });

  it('has the gradient (2·a_j − y)/Σa, finite and 0 at all-zero windows', async () => {
    const layer = new StochasticPool2d({ kernel: 2 }).build([2, 4, 1]);
    const x = tf.tensor4d([1, 2, 0, 0, 3, 4, 0, 0], [1, 2, 4, 1]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t)))(x);
    // Window [1, 2, 3, 4]: y = 3, Σ = 10 → (2a − 3)/10; window of zeros → 0.
    const expected = [-0.1, 0.1, 0, 0, 0.3, 0.5, 0, 0];
    Array.from(await g.data()).forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 6);
    });
    // And against central differences of the plain-loop oracle (float64).
    const base = [0.3, 1.2, 0.7, 2.1, 0.9, 0.05, 1.5, 0.4];
    const xt = tf.tensor4d(base, [1, 2, 4, 1]);
    const gt = Array.from(
      await tf
        .grad((t: tf.Tensor) => tf.sum(layer.apply(t)))(xt)
        .data(),
    );
    const objective = (v: number[]) =>
      naiveWindows(v, [1, 2, 4, 1], [2, 2], [2, 2]).windows.reduce((s, w) => s + naiveExpectation(w), 0);
    base.forEach((_, i) => {
      const step = 1e-6;
      const plus = base.map((v, k) => (k === i ? v + step : v));
      const minus = base.map((v, k) => (k === i ? v - step : v));
      expect(gt[i]).toBeCloseTo((objective(plus) - objective(minus)) / (2 * step), 4);
    });
    tf.dispose([x, g, xt]);
    layer.dispose();
  });
});

describe('StochasticPool2d in training', () => {
  const window = [1, 2, 3, 4];

  async function draw(layer: StochasticPool2d, x: tf.Tensor, seed: number): Promise<number[]> {
    const y = layer.apply(x, { training: true, seed });
    const values = Array.from(await y.data());
    y.dispose();
    return values;
  }

  it('the same seed gives the same choice; every output is one of its window’s values', async () => {
    const shape: Shape4 = [2, 6, 6, 4];
    const x = tf.tidy(() => tf.relu(tf.randomNormal(shape, 0, 1, 'float32', 4)));
    const values = Array.from(await x.data());
    const layer = new StochasticPool2d({ kernel: 3, stride: 2 }).build(shape.slice(1));
    const { windows } = naiveWindows(values, shape, [3, 3], [2, 2]);
    const first = await draw(layer, x, 11);
    expect(await draw(layer, x, 11)).toEqual(first);
    let differs = false;
    for (const seed of [12, 13, 14]) {
      const other = await draw(layer, x, seed);
      differs ||= other.some((v, i) => v !== first[i]);
      other.forEach((v, i) => {
        const w = windows[i] as number[];
        if (w.every((a) => a <= 0)) expect(v).toBe(0);
        else if (!w.some((a) => a > 0 && a === v)) expect.fail(`output ${i} = ${v} is not a positive value of [${w}]`);
      });
    }
    expect(differs).toBe(true);
    tf.dispose(x);
    layer.dispose();
  });

  it('the gradient flows to the drawn position only', async () => {
    const layer = new StochasticPool2d({ kernel: 2 }).build([4, 4, 2]);
    const x = tf.tidy(() => tf.relu(tf.randomNormal([1, 4, 4, 2], 0.5, 1, 'float32', 21)));
    const values = Array.from(await x.data());
    const y = Array.from(await draw(layer, x, 5));
    const g = tf.grad((t: tf.Tensor) => tf.sum(layer.apply(t, { training: true, seed: 5 })))(x);
    const grads = Array.from(await g.data());
    const { windows } = naiveWindows(values, [1, 4, 4, 2], [2, 2], [2, 2]);
    // Each window with a positive sum sends exactly 1 to one element holding its output.
    const indexOf = (b: number, i: number, j: number, c: number) => ((b * 4 + i) * 4 + j) * 2 + c;
    let o = 0;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        for (let c = 0; c < 2; c++, o++) {
          const positions = [0, 1].flatMap((di) => [0, 1].map((dj) => indexOf(0, 2 * i + di, 2 * j + dj, c)));
          const gw = positions.map((p) => grads[p] as number);
          if ((windows[o] as number[]).every((a) => a <= 0)) expect(gw).toEqual([0, 0, 0, 0]);
          else {
            expect(gw.filter((v) => v === 1).length).toBe(1);
            expect(gw.filter((v) => v === 0).length).toBe(3);
            expect(values[positions[gw.indexOf(1)] as number]).toBe(y[o]);
          }
        }
    tf.dispose([x, g]);
    layer.dispose();
  });

  it('over many seeds, each value is drawn with probability a_i / Σ a (statistical, loose bound)', async () => {
    // 64 copies of the window [[1, 2], [3, 4]] per draw, 150 seeds: 9,600 draws.
    const copies = 64;
    const x = tf.tidy(() => tf.tile(tf.tensor4d(window, [1, 2, 2, 1]), [copies, 1, 1, 1]));
    const layer = new StochasticPool2d({ kernel: 2 }).build([2, 2, 1]);
    const counts = new Map<number, number>(window.map((v) => [v, 0]));
    let draws = 0;
    for (let seed = 0; seed < 150; seed++) {
      for (const v of await draw(layer, x, seed)) {
        counts.set(v, (counts.get(v) ?? Number.NaN) + 1);
        draws++;
      }
    }
    expect([...counts.keys()].sort()).toEqual(window);
    for (const v of window) {
      const p = v / 10;
      const frequency = (counts.get(v) as number) / draws;
      // Standard deviation ≤ √(0.25/9600) ≈ 0.005: a bound of 0.025 is five of them.
      expect(Math.abs(frequency - p), `value ${v}: frequency ${frequency}, probability ${p}`).toBeLessThan(0.025);
    }
    tf.dispose(x);
    layer.dispose();
  });

  it('never draws a zero or negative element; an all-zero window gives 0', async () => {
    const layer = new StochasticPool2d({ kernel: 2 }).build([2, 2, 1]);
    const x = tf.tensor4d([0, 5, -3, 0, 0, 0, 0, 0, -1, -2, 0, 0], [3, 2, 2, 1]);
    for (let seed = 0; seed < 50; seed++) expect(await draw(layer, x, seed)).toEqual([5, 0, 0]);
    tf.dispose(x);
  });
});

describe('StochasticPool2d spec and configuration', () => {
  it('declares a pool spec with mode stochastic, stride defaulting to the kernel', () => {
    expect(new StochasticPool2d({ name: 'sp', kernel: 2 }).specs([8, 8, 4])).toEqual([
      { type: 'pool', name: 'sp', mode: 'stochastic', kernel: 2, stride: 2 },
    ]);
    expect(new StochasticPool2d({ kernel: 3, stride: 2 }).outputShape([24, 24, 64])).toEqual([11, 11, 64]);
  });

  it('rejects bad geometry with a ShapeError naming the layer', () => {
    expect(() => new StochasticPool2d({ name: 'sp1', kernel: 0 }).outputShape([8, 8, 1])).toThrow(ShapeError);
    expect(() => new StochasticPool2d({ name: 'sp1', kernel: 0 }).outputShape([8, 8, 1])).toThrow(/^sp1: .*0/);
    expect(() => new StochasticPool2d({ name: 'sp2', kernel: 4 }).build([3, 3, 1])).toThrow(
      'sp2: kernel 4, more than the padded input 3',
    );
  });
});
