import { initBackend } from '@convkit/backend';
import { LENET5_C3 } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { sequential } from './sequential.js';
import { Subsample2d } from './subsample.js';
import { summary } from './summary.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** LeNet-5 up to F6 (the RBF output layer's 840 weights were fixed by hand, not trained). */
const lenet5 = () =>
  sequential(
    [
      new Conv2d({ filters: 6, kernel: 5, activation: 'tanh', name: 'c1' }),
      new Subsample2d({ activation: 'tanh', name: 's2' }),
      new Conv2d({ filters: 16, kernel: 5, connections: LENET5_C3, activation: 'tanh', name: 'c3' }),
      new Subsample2d({ activation: 'tanh', name: 's4' }),
      new Conv2d({ filters: 120, kernel: 5, activation: 'tanh', name: 'c5' }),
      new Flatten({ name: 'flatten' }),
      new Dense({ units: 84, activation: 'tanh', name: 'f6' }),
    ],
    { name: 'lenet5' },
  );

describe('LeNet-5 (LeCun et al. 1998) from layers', () => {
  it('has the paper’s 60,000 trainable parameters', () => {
    const s = summary(lenet5(), { input: [32, 32, 1] });
    expect(s.rows.map((r) => [r.name, r.outputShape, r.params.trainable])).toEqual([
      ['c1', [28, 28, 6], 156],
      ['s2', [14, 14, 6], 12],
      ['c3', [10, 10, 16], 1_516],
      ['s4', [5, 5, 16], 32],
      ['c5', [1, 1, 120], 48_120],
      ['flatten', [120], 0],
      ['f6', [84], 10_164],
    ]);
    expect(s.totals.trainable).toBe(60_000);
    expect(s.totals.nonTrainable).toBe(0);
  });

  it('runs forward on cpu with the summary’s shapes, layer by layer', () => {
    const model = lenet5().build([32, 32, 1], { seed: 7 });
    const rows = summary(model, { input: [32, 32, 1] }).rows;
    const x = tf.randomUniform([3, 32, 32, 1], -1, 1, 'float32', 1);
    let h: tf.Tensor = x;
    model.children.forEach((layer, k) => {
      const next = layer.apply(h);
      expect([layer.name, next.shape.slice(1)]).toEqual([rows[k]?.name, rows[k]?.outputShape]);
      if (h !== x) h.dispose();
      h = next;
    });
    const y = model.apply(x);
    expect(y.shape).toEqual([3, 84]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    // The whole model computes what its layers in turn compute.
    const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(y, h))));
    expect(difference.dataSync()[0]).toBe(0);
    difference.dispose();
    // Stored parameters: full kernels (C3's is 5·5·6·16 with its 900 unconnected entries at zero).
    const stored = model.weights().reduce((n, v) => n + v.size, 0);
    expect(stored).toBe(60_000 + 900);
    tf.dispose([x, h, y]);
    model.dispose();
  });
});
