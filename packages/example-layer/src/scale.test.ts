import { initBackend } from '@convkit/backend';
import {
  Conv2d,
  createLayer,
  Dense,
  Flatten,
  fromJSON,
  layerTypes,
  MaxPool2d,
  type Sequential,
  sequential,
  summary,
  toJSON,
} from '@convkit/layers';
import { runLayerTest } from '@convkit/layers/testing';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Scale } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const model = () =>
  sequential([
    new Conv2d({ filters: 4, kernel: 3, padding: 1 }),
    new Scale({ bias: true }),
    new MaxPool2d({ kernel: 2 }),
    new Flatten(),
    new Dense({ units: 3 }),
  ]);

describe('Scale, a layer from outside @convkit/layers', () => {
  it('is registered and typed: createLayer and fromJSON know it', () => {
    expect(layerTypes()).toContain('scale');
    const layer = createLayer('scale', { bias: true, name: 'gamma' });
    expect(layer).toBeInstanceOf(Scale);
    expect(fromJSON(toJSON(layer))).toBeInstanceOf(Scale);
    expect(toJSON(layer)).toEqual({ type: 'scale', config: { bias: true, name: 'gamma' } });
  });

  it('declares its options, so a typo in its config is a ConfigError with the close name', () => {
    expect(() => fromJSON({ type: 'scale', config: { bais: true } })).toThrow(
      /^scale: unknown option "bais" \(did you mean "bias"\?\)/,
    );
  });

  it('computes x · scale[c] + bias[c]', async () => {
    const layer = new Scale({ bias: true, name: 's' }).build([2, 2, 3]);
    const scale = tf.tensor1d([2, -1, 0.5]);
    const bias = tf.tensor1d([0, 1, -1]);
    layer.setWeights({ 's/scale': scale, 's/bias': bias });
    const x = tf.ones([1, 2, 2, 3]);
    const y = layer.apply(x);
    expect(Array.from(await y.data())).toEqual([2, 0, -0.5, 2, 0, -0.5, 2, 0, -0.5, 2, 0, -0.5]);
    tf.dispose([scale, bias, x, y]);
    layer.dispose();
  });

  it('declares its real cost: a custom spec with h·w·C multiply-adds, shown as a scale', () => {
    const s = summary(new Scale({ bias: true, name: 'gamma' }), { input: [8, 8, 16] });
    expect(s.rows).toMatchObject([
      { name: 'gamma', type: 'custom', kind: 'scale', outputShape: [8, 8, 16], macs: 8 * 8 * 16 },
    ]);
    expect(s.rows[0]?.params).toEqual({ trainable: 32, nonTrainable: 0 });
    expect(s.text).toMatch(/gamma\s+scale\s+8×8×16\s+32/);
    // Element-wise on features too, which a depthwise-conv disguise could not describe.
    expect(summary(new Scale(), { input: [10] }).rows[0]).toMatchObject({ outputShape: [10], macs: 10 });
  });

  it('counts its parameters in summaries: C, or 2·C with a bias', () => {
    expect(summary(new Scale(), { input: [8, 8, 16] }).totals.trainable).toBe(16);
    const s = summary(model(), { input: [6, 6, 2] });
    expect(s.totals.trainable).toBe(195);
    expect(s.rows.map((r) => [r.name, r.outputShape, r.params.trainable])).toEqual([
      ['conv2d1', [6, 6, 4], 76],
      ['scale1', [6, 6, 4], 8],
      ['maxPool2d1', [3, 3, 4], 0],
      ['flatten1', [36], 0],
      ['dense1', [3], 111],
    ]);
  });

  it.each([
    ['scale only', () => new Scale()],
    ['with bias', () => new Scale({ bias: true, scaleInit: { uniform: { min: 0.5, max: 1.5 } } })],
  ])('passes runLayerTest: %s', async (_, make) => {
    const report = await runLayerTest(make, { input: [5, 4, 3] });
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it('passes runLayerTest inside a sequential model with built-in layers', async () => {
    const report = await runLayerTest(model, { input: [6, 6, 2] });
    expect(report.weights).toEqual([
      'conv2d1/kernel',
      'conv2d1/bias',
      'scale1/scale',
      'scale1/bias',
      'dense1/kernel',
      'dense1/bias',
    ]);
  });

  it('survives a JSON round trip of the whole model, weights included', async () => {
    const original = model().build([6, 6, 2], { seed: 4 });
    const copy = fromJSON(JSON.parse(JSON.stringify(toJSON(original)))) as Sequential;
    expect(copy.children[1]).toBeInstanceOf(Scale);
    copy.build([6, 6, 2]);
    copy.setWeights(original.getWeights());
    const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 1);
    const [a, b] = [original.apply(x), copy.apply(x)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    original.dispose();
    copy.dispose();
  });
});
