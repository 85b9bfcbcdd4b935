import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { concat } from './concat.js';
import { Conv2d } from './conv.js';
import { GlobalPool2d } from './global-pool.js';
import { BatchNorm, LocalResponseNorm } from './norm.js';
import { MaxPool2d } from './pool.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('normalization, global pooling and branches pass runLayerTest', () => {
  it('batch norm, training and inference', async () => {
    await runLayerTest(() => new BatchNorm(), { input: [4, 4, 3], training: true, batch: 3 });
    await runLayerTest(() => new BatchNorm({ scale: false }), { input: [5], batch: 4 });
  });

  it('LRN with AlexNet defaults, and a narrow window', async () => {
    await runLayerTest(() => new LocalResponseNorm(), { input: [3, 3, 8] });
    await runLayerTest(() => new LocalResponseNorm({ size: 3, alpha: 0.5 }), { input: [3, 3, 4] });
  });

  it('global average and max pooling', async () => {
    await runLayerTest(() => new GlobalPool2d(), { input: [5, 4, 3] });
    await runLayerTest(() => new GlobalPool2d({ mode: 'max' }), { input: [5, 4, 3] });
  });

  it('concatenated branches', async () => {
    const report = await runLayerTest(
      () =>
        concat([
          new Conv2d({ filters: 2, kernel: 1 }),
          sequential([new Conv2d({ filters: 2, kernel: 1 }), new Conv2d({ filters: 3, kernel: 3, padding: 'same' })]),
          sequential([new MaxPool2d({ kernel: 3, stride: 1, padding: 1 }), new Conv2d({ filters: 1, kernel: 1 })]),
        ]),
      { input: [6, 6, 4] },
    );
    expect(report.outputShape).toEqual([6, 6, 6]);
  });
});

describe('batch norm semantics', () => {
  it('normalizes with the batch statistics while training and moves the running averages', async () => {
    const bn = new BatchNorm({ name: 'bn', momentum: 0.9 }).build([2]);
    const x = tf.tensor2d([
      [1, 10],
      [3, 30],
    ]);
    const y = bn.apply(x, { training: true });
    // Mean [2, 20], population variance [1, 100]: ±1 each (epsilon aside).
    expect(Array.from(await y.data()).map((v) => Math.round(v * 1000) / 1000)).toEqual([-1, -1, 1, 1]);
    const w = bn.getWeights();
    expect(Array.from(await (w['bn/movingMean'] as tf.Tensor).data()).map((v) => Math.round(v * 1e5) / 1e5)).toEqual([
      0.2, 2,
    ]);
    expect(
      Array.from(await (w['bn/movingVariance'] as tf.Tensor).data()).map((v) => Math.round(v * 1e5) / 1e5),
    ).toEqual([1, 10.9]);
    tf.dispose([x, y]);
    bn.dispose();
  });
});

describe('the inception module as branches', () => {
  it('GoogLeNet inception (3a): 28×28×192 → 28×28×256 with 163,328 weights + 368 biases and 128 M MACs', () => {
    const relu = 'relu' as const;
    const module3a = concat(
      [
        new Conv2d({ filters: 64, kernel: 1, activation: relu }),
        sequential([
          new Conv2d({ filters: 96, kernel: 1, activation: relu }),
          new Conv2d({ filters: 128, kernel: 3, padding: 1, activation: relu }),
        ]),
        sequential([
          new Conv2d({ filters: 16, kernel: 1, activation: relu }),
          new Conv2d({ filters: 32, kernel: 5, padding: 2, activation: relu }),
        ]),
        sequential([
          new MaxPool2d({ kernel: 3, stride: 1, padding: 1 }),
          new Conv2d({ filters: 32, kernel: 1, activation: relu }),
        ]),
      ],
      { name: 'inception3a' },
    );
    const s = summary(module3a, { input: [28, 28, 192] });
    expect(s.output).toEqual([28, 28, 256]);
    expect(s.totals.params).toBe(163_328 + 64 + 96 + 128 + 16 + 32 + 32);
    expect(s.totals.macs).toBe(28 * 28 * 163_328);
    expect(s.text).toContain('inception3a');
  });
});
