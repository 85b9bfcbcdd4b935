import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from './activation.js';
import { Conv2d } from './conv.js';
import { Dense } from './dense.js';
import { GlobalPool2d } from './global-pool.js';
import { add, Multiply, multiply } from './merge.js';
import { BatchNorm } from './norm.js';
import { AvgPool2d } from './pool.js';
import { fromJSON } from './registry.js';
import { sequential } from './sequential.js';
import { summary } from './summary.js';
import { runLayerTest } from './testing/index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const conv3 = (filters: number, stride = 1) => new Conv2d({ filters, kernel: 3, stride, padding: 1, bias: false });

/** A ResNet basic block's sum: conv-bn-relu-conv-bn plus the identity. */
const basic = (c: number) =>
  add(
    [
      sequential([conv3(c), new BatchNorm({}), new Activation({ fn: 'relu' }), conv3(c), new BatchNorm({})]),
      sequential([]),
    ],
    {
      name: 'block',
    },
  );

/** A squeeze-excitation gate on c channels, reduction r. */
const se = (c: number, r: number) =>
  multiply([
    sequential([]),
    sequential([
      new GlobalPool2d({}),
      new Dense({ units: c / r, activation: 'relu' }),
      new Dense({ units: c, activation: 'sigmoid' }),
    ]),
  ]);

describe('Add', () => {
  it('a conv branch plus the identity is conv(x) + x', async () => {
    const layer = add([
      sequential([new Conv2d({ filters: 3, kernel: 1, kernelInit: 'ones', bias: false })]),
      sequential([]),
    ]);
    layer.build([2, 2, 3]);
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [1, 2, 2, 3]);
    const y = layer.apply(x);
    // Oracle by hand: each output channel is the pixel's channel sum (a 1×1 conv of ones) plus the channel itself.
    const expected = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
      [10, 11, 12],
    ].flatMap((p) => p.map((v) => v + p.reduce((a, b) => a + b)));
    expect(Array.from(await y.data())).toEqual(expected);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('passes runLayerTest with a conv branch and an identity branch', async () => {
    const report = await runLayerTest(
      () => add([sequential([conv3(4), new BatchNorm({}), new Activation({ fn: 'relu' }), conv3(4)]), sequential([])]),
      { input: [5, 5, 4] },
    );
    expect(report.outputShape).toEqual([5, 5, 4]);
    expect(report.checkedGradients).toBeGreaterThan(0);
    expect(report.weights).toContain('conv2d1/kernel');
  });

  it('passes runLayerTest with three branches (a projection, the identity, a 1×1)', async () => {
    const report = await runLayerTest(
      () =>
        add([
          sequential([conv3(3)]),
          sequential([]),
          sequential([new Conv2d({ filters: 3, kernel: 1 }), new BatchNorm({})]),
        ]),
      { input: [4, 4, 3] },
    );
    expect(report.outputShape).toEqual([4, 4, 3]);
  });

  it('counts the branches summed by hand: a basic block of 64 channels at 56×56', () => {
    const s = summary(basic(64), { input: [56, 56, 64] });
    // Two 3×3 convs 64→64 without bias: 2·(3·3·64·64) = 73,728; two BNs: 2·2·64 = 256 trainable, 256 running stats.
    expect(s.totals.params).toBe(73_728 + 256 + 256);
    expect(s.totals.trainable).toBe(73_728 + 256);
    // MACs: 2·(56·56·64·3·3·64) = 231,211,008; the sum itself counts 0.
    expect(s.totals.macs).toBe(2 * 56 * 56 * 64 * 9 * 64);
  });

  it('names the layer and lists every branch shape when they differ, suggesting a projection', () => {
    const bad = add([sequential([conv3(8, 2)]), sequential([])], { name: 'res2a' });
    let error: unknown;
    try {
      bad.outputShape([8, 8, 4]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ShapeError);
    expect((error as ShapeError).message).toBe(
      "res2a: added branches must give equal shapes, but branch 1 does not (branch 0 gives [4, 4, 8], branch 1 gives [8, 8, 4]): give the shortcut a projection (a 1×1 conv with the block's stride) or option A (`shortcut`)",
    );
  });

  it('round-trips through JSON with its branches', () => {
    const block = basic(8);
    const json = block.toJSON();
    expect(json.type).toBe('add');
    expect((json.config.branches as unknown[]).length).toBe(2);
    expect(fromJSON(json).toJSON()).toEqual(json);
  });
});

describe('Multiply', () => {
  it('broadcasts a [c] gate over every pixel: y[h, w, c] = x[h, w, c] · g[c]', async () => {
    const gate = new Dense({ units: 2, kernelInit: 'zeros', biasInit: { constant: 0.5 } });
    const layer = multiply([sequential([]), sequential([new GlobalPool2d({}), gate])]);
    layer.build([2, 1, 2]);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 1, 2]);
    const y = layer.apply(x);
    expect(Array.from(await y.data())).toEqual([0.5, 1, 1.5, 2]);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it('passes runLayerTest as an SE block after a conv', async () => {
    const report = await runLayerTest(() => sequential([conv3(8), se(8, 4)]), { input: [4, 4, 3] });
    expect(report.outputShape).toEqual([4, 4, 8]);
    expect(report.weights).toEqual(
      expect.arrayContaining(['conv2d1/kernel', 'dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias']),
    );
  });

  it('takes a [1, 1, c] gate and rejects a gate of other channels, naming the layer', () => {
    const ok = multiply([
      sequential([]),
      sequential([new AvgPool2d({ kernel: 3 }), new Conv2d({ filters: 6, kernel: 1 })]),
    ]);
    expect(ok.outputShape([3, 3, 6])).toEqual([3, 3, 6]);
    expect(ok.specs([3, 3, 6])[0]?.type).toBe('multiply');
    const wrong = new Multiply([sequential([]), sequential([new GlobalPool2d({}), new Dense({ units: 5 })])], {
      name: 'se1',
    });
    expect(() => wrong.outputShape([3, 3, 6])).toThrow(
      /^se1: multiplied branches must give equal shapes or a \[c\] \/ \[1, 1, c\] gate of the same channels, but branch 1 does not \(branch 0 gives \[3, 3, 6\], branch 1 gives \[5\]\)/,
    );
  });

  it('round-trips through JSON', () => {
    const json = se(8, 2).toJSON();
    expect(json.type).toBe('multiply');
    expect(fromJSON(json).toJSON()).toEqual(json);
  });
});
