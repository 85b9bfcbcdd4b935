import { initBackend } from '@convkit/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation, type ActivationName } from './activation.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { Dropout } from './dropout.js';
import { AvgPool2d, MaxPool2d } from './pool.js';
import { sequential } from './sequential.js';
import { runLayerTest } from './testing/index.js';
import { walkLayers } from './walk.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('every layer passes runLayerTest on cpu', () => {
  it.each([
    ['3×3 same', { filters: 4, kernel: 3, padding: 'same' as const }],
    ['5×5 stride 2 valid, relu', { filters: 3, kernel: 5, stride: 2, activation: 'relu' as const }],
    [
      'per-side padding, rectangular kernel',
      {
        filters: 2,
        kernel: [3, 2] as [number, number],
        padding: [
          [1, 0],
          [0, 2],
        ] as const,
      },
    ],
    ['dilation 2', { filters: 3, kernel: 3, dilation: 2, padding: 2 }],
    ['stride 2 and dilation 2 together', { filters: 2, kernel: 3, stride: 2, dilation: 2, padding: 'same' as const }],
    ['two groups (AlexNet towers)', { filters: 4, kernel: 3, groups: 2, padding: 1 }],
    ['depthwise (groups = channels), no bias', { filters: 8, kernel: 3, groups: 4, bias: false }],
    ['1×1', { filters: 5, kernel: 1 }],
  ])('conv2d: %s', async (_, config) => {
    const report = await runLayerTest(() => new Conv2d(config as never), { input: [9, 8, 4] });
    expect(report.checkedGradients).toBeGreaterThan(0);
  });

  it('dense and flatten', async () => {
    await runLayerTest(() => new Dense({ units: 5, activation: 'tanh' }), { input: [7] });
    await runLayerTest(() => new Flatten(), { input: [3, 4, 2] });
  });

  it.each(['relu', 'leakyRelu', 'elu', 'tanh', 'sigmoid', 'softmax', 'relu6', 'selu', 'softplus'] as ActivationName[])(
    'activation %s',
    async (fn) => {
      await runLayerTest(() => new Activation({ fn }), { input: [4, 4, 3] });
    },
  );

  it.each([
    ['max 2×2', () => new MaxPool2d({ kernel: 2 })],
    ['max 3×3/2 overlapping, ceil mode', () => new MaxPool2d({ kernel: 3, stride: 2, ceilMode: true })],
    ['max 3×3/2 same', () => new MaxPool2d({ kernel: 3, stride: 2, padding: 'same' })],
    ['avg 2×2', () => new AvgPool2d({ kernel: 2 })],
    [
      'avg 3×3/2 padding 1, count_include_pad, ceil',
      () => new AvgPool2d({ kernel: 3, stride: 2, padding: 1, countIncludePad: true, ceilMode: true }),
    ],
  ])('pooling: %s', async (_, make) => {
    const report = await runLayerTest(make, { input: [7, 6, 3] });
    expect(report.outputShape).toHaveLength(3);
  });

  it('dropout, in training (seeded) and inference', async () => {
    await runLayerTest(() => new Dropout({ rate: 0.5 }), { input: [6, 6, 2], training: true });
    await runLayerTest(() => new Dropout({ rate: 0.5 }), { input: [6, 6, 2] });
  });

  it('names layers uniquely across nested unnamed containers (the outermost names last)', () => {
    const block = () => sequential([new Conv2d({ filters: 2, kernel: 1 }), new Conv2d({ filters: 2, kernel: 1 })]);
    const model = sequential([block(), block(), new Conv2d({ filters: 2, kernel: 1 })]);
    const names = walkLayers(model)
      .filter((v) => v.layer.children.length === 0)
      .map((v) => v.layer.name);
    expect(names).toEqual(['conv2d1', 'conv2d2', 'conv2d3', 'conv2d4', 'conv2d5']);
  });

  it('a sequential model of them, nested', async () => {
    const make = () =>
      sequential([
        sequential([new Conv2d({ filters: 4, kernel: 3, activation: 'relu' }), new MaxPool2d({ kernel: 2 })]),
        new Flatten(),
        new Dropout({ rate: 0.25 }),
        new Dense({ units: 3 }),
      ]);
    const report = await runLayerTest(make, { input: [10, 10, 2], training: true });
    expect(report.weights).toEqual(['conv2d1/kernel', 'conv2d1/bias', 'dense1/kernel', 'dense1/bias']);
  });
});
