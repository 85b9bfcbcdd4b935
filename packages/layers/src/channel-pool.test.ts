import { initBackend } from '@convkit/backend';
import { maxoutParams, ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelPool, Maxout } from './channel-pool.js';
import { Conv2d } from './conv.js';
import { Flatten } from './dense.js';
import { ConfigError } from './errors.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Independent oracle: the max of each group of `pieces` consecutive entries of the last axis. */
function naiveChannelPool(x: number[], channels: number, pieces: number): number[] {
  const out: number[] = [];
  for (let base = 0; base < x.length; base += channels)
    for (let g = 0; g < channels / pieces; g++) {
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < pieces; k++) best = Math.max(best, x[base + g * pieces + k] as number);
      out.push(best);
    }
  return out;
}

/** Independent oracle: h_u = max_k (x·W + b)_{u·pieces + k}, row by row. */
function naiveMaxout(x: number[], features: number, w: number[], b: number[], units: number, pieces: number): number[] {
  const out: number[] = [];
  const width = units * pieces;
  for (let row = 0; row < x.length / features; row++)
    for (let u = 0; u < units; u++) {
      let best = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < pieces; k++) {
        const j = u * pieces + k;
        let z = b[j] ?? 0;
        for (let i = 0; i < features; i++) z += (x[row * features + i] as number) * (w[i * width + j] as number);
        best = Math.max(best, z);
      }
      out.push(best);
    }
  return out;
}

const expectClose = (actual: ArrayLike<number>, expected: number[], tol = 1e-5) => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((e, i) => {
    if (!(Math.abs((actual[i] as number) - e) <= tol * (1 + Math.abs(e))))
      expect.fail(`element ${i}: ${actual[i]} vs ${e}`);
  });
};

describe('ChannelPool and Maxout pass runLayerTest', () => {
  it('ChannelPool on [h, w, c] and on flat features', async () => {
    expect((await runLayerTest(() => new ChannelPool({ pieces: 2 }), { input: [4, 5, 6] })).outputShape).toEqual([
      4, 5, 3,
    ]);
    expect((await runLayerTest(() => new ChannelPool({ pieces: 3 }), { input: [12] })).outputShape).toEqual([4]);
  });

  it('ChannelPool after a convolution (maxout conv): gradients reach the kernel', async () => {
    const report = await runLayerTest(
      () => sequential([new Conv2d({ filters: 6, kernel: 3 }), new ChannelPool({ pieces: 3 })]),
      { input: [5, 5, 2] },
    );
    expect(report.outputShape).toEqual([3, 3, 2]);
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it.each([
    ['3 units × 2 pieces', { units: 3, pieces: 2 }],
    ['2 units × 4 pieces, no bias', { units: 2, pieces: 4, bias: false }],
    ['1 unit × 1 piece (a dense layer)', { units: 1, pieces: 1 }],
  ])('Maxout %s', async (_, config) => {
    const report = await runLayerTest(() => new Maxout({ ...config, biasInit: { normal: { stddev: 0.5 } } }), {
      input: [7],
    });
    expect(report.checkedGradients).toBeGreaterThan(0);
  });
});

describe('against plain loops', () => {
  it.each([
    [[3, 4, 6], 2],
    [[2, 3, 12], 4],
    [[10], 5],
    [[4, 4, 3], 1],
  ] as [number[], number][])('ChannelPool on %j, pieces %i', async (shape, pieces) => {
    const x = tf.randomNormal([2, ...shape], 0, 1, 'float32', 3);
    const layer = new ChannelPool({ pieces }).build(shape);
    const y = layer.apply(x);
    const channels = shape.at(-1) as number;
    expect(y.shape).toEqual([2, ...shape.slice(0, -1), channels / pieces]);
    expect(Array.from(await y.data())).toEqual(naiveChannelPool(Array.from(await x.data()), channels, pieces));
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('ChannelPool groups consecutive channels', async () => {
    const layer = new ChannelPool({ pieces: 2 }).build([1, 1, 4]);
    const x = tf.tensor4d([1, 5, -2, -7], [1, 1, 1, 4]);
    const y = layer.apply(x);
    expect(Array.from(await y.data())).toEqual([5, -2]);
    tf.dispose([x, y]);
  });

  it.each([
    [5, 3, 2, true],
    [4, 2, 4, false],
    [6, 1, 3, true],
  ] as [number, number, number, boolean][])(
    'Maxout: %i features, %i units × %i pieces, bias %s',
    async (features, units, pieces, bias) => {
      const layer = new Maxout({ name: 'mx', units, pieces, bias, biasInit: { normal: { stddev: 1 } } }).build(
        [features],
        {
          seed: 4,
        },
      );
      const x = tf.randomNormal([3, features], 0, 1, 'float32', 8);
      const y = layer.apply(x);
      const weights = layer.getWeights();
      expect(Object.keys(weights).sort()).toEqual(bias ? ['mx/bias', 'mx/kernel'] : ['mx/kernel']);
      expect((weights['mx/kernel'] as tf.Variable).shape).toEqual([features, units * pieces]);
      const w = Array.from(await (weights['mx/kernel'] as tf.Variable).data());
      const b = bias ? Array.from(await (weights['mx/bias'] as tf.Variable).data()) : [];
      expect(y.shape).toEqual([3, units]);
      expectClose(await y.data(), naiveMaxout(Array.from(await x.data()), features, w, b, units, pieces));
      tf.dispose([x, y]);
      layer.dispose();
    },
  );
});

describe('specs and parameter counts', () => {
  it('ChannelPool declares a channelPool spec', () => {
    expect(new ChannelPool({ name: 'cp', pieces: 2 }).specs([8, 8, 6])).toEqual([
      { type: 'channelPool', name: 'cp', pieces: 2 },
    ]);
    expect(new ChannelPool({ pieces: 2 }).outputShape([28, 28, 96])).toEqual([28, 28, 48]);
  });

  it('Maxout declares dense (units·pieces) + channelPool, so its parameters match maxoutParams', () => {
    const maxout = new Maxout({ name: 'mx', units: 240, pieces: 5 });
    expect(maxout.specs([784])).toEqual([
      { type: 'dense', name: 'mx', units: 1200, bias: true },
      { type: 'channelPool', name: 'mx/max', pieces: 5 },
    ]);
    expect(maxout.outputShape([784])).toEqual([240]);
    const s = summary(maxout, { input: [784] });
    expect(s.totals.params).toBe(maxoutParams({ inFeatures: 784, units: 240, pieces: 5 }));
    expect(s.totals.params).toBe(784 * 1200 + 1200);
    const noBias = summary(new Maxout({ units: 10, pieces: 3, bias: false }), { input: [20] });
    expect(noBias.totals.params).toBe(maxoutParams({ inFeatures: 20, units: 10, pieces: 3, bias: false }));
    // And the weights it builds are as many.
    maxout.build([784]);
    expect(maxout.weights().reduce((n, v) => n + v.size, 0)).toBe(s.totals.params);
    maxout.dispose();
  });

  it('Maxout after a Flatten in a model', () => {
    const model = sequential([
      new Conv2d({ filters: 4, kernel: 3 }),
      new Flatten(),
      new Maxout({ units: 8, pieces: 2 }),
    ]);
    expect(model.outputShape([6, 6, 1])).toEqual([8]);
  });
});

describe('bad configurations throw typed errors naming the layer', () => {
  it('pieces that do not divide the channels: ShapeError', () => {
    expect(() => new ChannelPool({ name: 'cp1', pieces: 4 }).outputShape([8, 8, 6])).toThrow(ShapeError);
    expect(() => new ChannelPool({ name: 'cp1', pieces: 4 }).build([8, 8, 6])).toThrow(
      'cp1: 6 channels do not split into groups of 4 pieces',
    );
  });

  it.each([0, -2, 1.5, Number.NaN])('pieces %s: ConfigError', (pieces) => {
    expect(() => new ChannelPool({ name: 'cp2', pieces })).toThrow(ConfigError);
    expect(() => new ChannelPool({ name: 'cp2', pieces })).toThrow(
      `cp2: pieces must be a positive integer, received ${pieces}`,
    );
    expect(() => new Maxout({ name: 'mx1', units: 4, pieces })).toThrow(
      `mx1: pieces must be a positive integer, received ${pieces}`,
    );
  });

  it('units that are not a positive integer, a missing pieces, and a non-flat Maxout input', () => {
    expect(() => new Maxout({ name: 'mx2', units: 0, pieces: 2 })).toThrow(
      'mx2: units must be a positive integer, received 0',
    );
    expect(() => new ChannelPool({ name: 'cp3' } as never)).toThrow(
      'cp3: pieces must be a positive integer, received undefined',
    );
    expect(() => new Maxout({ name: 'mx3', units: 4, pieces: 2 }).outputShape([7, 7, 3])).toThrow(
      'mx3: a dense layer needs a flat input, received [7, 7, 3]',
    );
  });
});
