import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Subsample2d } from './subsample.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Per channel: coefficient · (window sum) + bias, then the activation. */
function oracle(
  x: Float32Array,
  [n, h, w, c]: number[],
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  coefficient: Float32Array,
  bias: Float32Array,
  fn: (v: number) => number,
): { shape: number[]; values: number[] } {
  const oh = Math.floor(((h as number) - kh) / sh) + 1;
  const ow = Math.floor(((w as number) - kw) / sw) + 1;
  const values: number[] = [];
  for (let b = 0; b < (n as number); b++)
    for (let r = 0; r < oh; r++)
      for (let s = 0; s < ow; s++)
        for (let ch = 0; ch < (c as number); ch++) {
          let sum = 0;
          for (let i = 0; i < kh; i++)
            for (let j = 0; j < kw; j++)
              sum += x[((b * (h as number) + r * sh + i) * (w as number) + s * sw + j) * (c as number) + ch] as number;
          values.push(fn((coefficient[ch] as number) * sum + (bias[ch] as number)));
        }
  return { shape: [n as number, oh, ow, c as number], values };
}

describe('Subsample2d (LeNet-5 S2/S4)', () => {
  it('has 2·C parameters and halves the size by default', () => {
    const layer = new Subsample2d({ name: 's2' });
    expect(layer.specs([28, 28, 6])).toEqual([
      { type: 'pool', name: 's2', mode: 'subsample', kernel: 2, stride: 2, trainable: true },
    ]);
    const s = summary(layer, { input: [28, 28, 6] });
    expect(s.output).toEqual([14, 14, 6]);
    expect(s.totals.trainable).toBe(12);
    expect(summary(new Subsample2d(), { input: [10, 10, 16] }).totals.trainable).toBe(32);
  });

  it('starts as average pooling: coefficient 1/(kh·kw), bias 0', async () => {
    const layer = new Subsample2d({ kernel: [2, 3], name: 's' }).build([6, 6, 2]);
    const w = layer.getWeights();
    expect(Array.from(await (w['s/coefficient'] as tf.Variable).data())).toEqual([1 / 6, 1 / 6].map(Math.fround));
    expect(Array.from(await (w['s/bias'] as tf.Variable).data())).toEqual([0, 0]);
    layer.dispose();
  });

  it.each([
    ['2×2, linear', {}, [2, 2], [2, 2], (v: number) => v],
    ['2×2, tanh (LeCun)', { activation: 'tanh' as const }, [2, 2], [2, 2], Math.tanh],
    [
      '3×2 stride [2, 1], sigmoid',
      { kernel: [3, 2] as [number, number], stride: [2, 1] as [number, number], activation: 'sigmoid' as const },
      [3, 2],
      [2, 1],
      (v: number) => 1 / (1 + Math.exp(-v)),
    ],
  ])('matches a naive oracle: %s', async (_, config, kernel, stride, fn) => {
    const layer = new Subsample2d({ ...config, name: 's' }).build([7, 9, 3]);
    const coefficient = tf.tensor1d([0.7, -1.3, 2.1]);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    layer.setWeights({ 's/coefficient': coefficient, 's/bias': bias });
    const x = tf.randomNormal([2, 7, 9, 3], 0, 1, 'float32', 5);
    const y = layer.apply(x);
    const expected = oracle(
      (await x.data()) as Float32Array,
      x.shape,
      kernel as [number, number],
      stride as [number, number],
      (await coefficient.data()) as Float32Array,
      (await bias.data()) as Float32Array,
      fn,
    );
    expect(y.shape).toEqual(expected.shape);
    expect(y.shape.slice(1)).toEqual(layer.outputShape([7, 9, 3]));
    const got = Array.from(await y.data());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected.values[i] as number, 4);
    });
    tf.dispose([coefficient, bias, x, y]);
    layer.dispose();
  });

  it.each([
    ['default', {}],
    ['tanh, overlapping 3×3/2', { kernel: 3, stride: 2, activation: 'tanh' as const }],
    ['rectangular, ones', { kernel: [2, 3] as [number, number], coefficientInit: 'ones' as const }],
  ])('passes runLayerTest: %s', async (_, config) => {
    const report = await runLayerTest(() => new Subsample2d(config), { input: [8, 9, 3] });
    expect(report.weights).toEqual(['subsample2d/coefficient', 'subsample2d/bias']);
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it('rejects an unknown activation and a window larger than the input, naming the layer', () => {
    expect(() => new Subsample2d({ activation: 'swoosh' as never, name: 's4' })).toThrow(/s4.*swoosh/);
    expect(() => new Subsample2d({ kernel: 5, name: 's4' }).outputShape([3, 3, 1])).toThrow(/s4/);
  });
});
