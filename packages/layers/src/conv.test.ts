import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import { LENET5_C3 } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { fromJSON } from './registry.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const c3 = () => new Conv2d({ filters: 16, kernel: 5, connections: LENET5_C3, name: 'c3' });

/** HWIO index. */
const at = (i: number, j: number, c: number, f: number, [, kw, depth, filters]: number[]) =>
  ((i * (kw as number) + j) * (depth as number) + c) * (filters as number) + f;

describe('Conv2d with a connection table (LeNet-5 C3)', () => {
  it('counts only the connected weights: 1,516 parameters, 150,000 MACs', () => {
    const s = summary(c3(), { input: [14, 14, 6] });
    expect(s.output).toEqual([10, 10, 16]);
    expect(s.totals.trainable).toBe(1516);
    expect(s.totals.params).toBe(1516);
    // The paper's 151,600 connections are these multiply-adds plus the 1,600 bias additions.
    expect(s.totals.macs).toBe(150_000);
    expect(c3().specs([14, 14, 6])[0]).toMatchObject({ type: 'conv', connections: LENET5_C3 });
  });

  it('keeps a full HWIO kernel whose unconnected entries are zero after build', async () => {
    const layer = c3().build([14, 14, 6], { seed: 3 });
    const kernel = layer.getWeights()['c3/kernel'] as tf.Variable;
    expect(kernel.shape).toEqual([5, 5, 6, 16]);
    const k = await kernel.data();
    let nonZero = 0;
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++)
        for (let c = 0; c < 6; c++)
          for (let f = 0; f < 16; f++) {
            const v = k[at(i, j, c, f, kernel.shape)] as number;
            if ((LENET5_C3[f] as number[]).includes(c)) nonZero += v !== 0 ? 1 : 0;
            else expect(Math.abs(v)).toBe(0);
          }
    expect(nonZero).toBe(1500);
    layer.dispose();
  });

  it('computes what a naive loop over the connected channels computes, even with stray values in unconnected entries', async () => {
    const layer = c3().build([14, 14, 6], { seed: 5 });
    // Put noise everywhere, unconnected entries included: the mask must ignore them.
    const noisy = tf.randomNormal([5, 5, 6, 16], 0, 1, 'float32', 9);
    const b = tf.randomNormal([16], 0, 1, 'float32', 10);
    layer.setWeights({ 'c3/kernel': noisy, 'c3/bias': b });
    const x = tf.randomNormal([2, 14, 14, 6], 0, 1, 'float32', 11);
    const y = layer.apply(x);
    expect(y.shape).toEqual([2, 10, 10, 16]);
    const [xs, ks, bs, ys] = await Promise.all([x.data(), noisy.data(), b.data(), y.data()]);
    let worst = 0;
    for (let n = 0; n < 2; n++)
      for (let r = 0; r < 10; r++)
        for (let s = 0; s < 10; s++)
          for (let f = 0; f < 16; f++) {
            let sum = bs[f] as number;
            for (const c of LENET5_C3[f] as number[])
              for (let i = 0; i < 5; i++)
                for (let j = 0; j < 5; j++) {
                  const xv = xs[((n * 14 + r + i) * 14 + s + j) * 6 + c] as number;
                  sum += xv * (ks[at(i, j, c, f, [5, 5, 6, 16])] as number);
                }
            const got = ys[((n * 10 + r) * 10 + s) * 16 + f] as number;
            worst = Math.max(worst, Math.abs(got - sum));
          }
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([noisy, b, x, y]);
    layer.dispose();
  });

  it('gives unconnected kernel entries a zero gradient, connected ones a non-zero one', async () => {
    const layer = c3().build([14, 14, 6], { seed: 2 });
    const kernel = layer.getWeights()['c3/kernel'] as tf.Variable;
    const x = tf.randomNormal([2, 14, 14, 6], 0, 1, 'float32', 4);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x))) as tf.Scalar, [kernel]);
    const g = await (grads[kernel.name] as tf.Tensor).data();
    let connectedNonZero = 0;
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++)
        for (let c = 0; c < 6; c++)
          for (let f = 0; f < 16; f++) {
            const v = g[at(i, j, c, f, kernel.shape)] as number;
            if ((LENET5_C3[f] as number[]).includes(c)) connectedNonZero += v !== 0 ? 1 : 0;
            else expect(Math.abs(v)).toBe(0);
          }
    expect(connectedNonZero).toBe(1500);
    tf.dispose([value, x, ...Object.values(grads)]);
    layer.dispose();
  });

  it('passes runLayerTest, and survives a JSON round trip', async () => {
    const make = () =>
      new Conv2d({
        filters: 3,
        kernel: 3,
        padding: 1,
        activation: 'tanh',
        connections: [
          [0, 1],
          [2, 3],
          [0, 1, 2, 3],
        ],
      });
    const report = await runLayerTest(make, { input: [7, 6, 4] });
    expect(report.checkedGradients).toBeGreaterThan(0);
    await runLayerTest(c3, { input: [14, 14, 6], batch: 1 });
    const json = c3().toJSON();
    expect(json.config.connections).toEqual(LENET5_C3);
    expect(fromJSON(JSON.parse(JSON.stringify(json))).outputShape([14, 14, 6])).toEqual([10, 10, 16]);
  });

  it('rejects tables that do not fit, naming the layer', () => {
    expect(() =>
      new Conv2d({ filters: 2, kernel: 3, groups: 2, connections: [[0], [1]], name: 'bad' }).outputShape([5, 5, 2]),
    ).toThrow(ShapeError);
    expect(() => new Conv2d({ filters: 2, kernel: 3, connections: [[0]], name: 'bad' }).build([5, 5, 2])).toThrow(
      /bad.*1 rows for 2 filters/,
    );
    expect(() =>
      new Conv2d({ filters: 1, kernel: 3, connections: [[0, 2]], name: 'bad' }).outputShape([5, 5, 2]),
    ).toThrow(/0\.\.1/);
  });
});
