import { initBackend } from '@convkit/backend';
import { summary } from '@convkit/layers';
import { LENET5_C3 as testC3 } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel, LENET5_C3, listModels, modelCard } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('LeNet-5', () => {
  it("the paper's: 60,000 trainable parameters (156 + 12 + 1,516 + 32 + 48,120 + 10,164) and the fixed RBF output", () => {
    const s = summary(getModel('lenet5'), { input: [32, 32, 1] });
    expect(s.totals.trainable).toBe(60_000);
    expect(s.totals.nonTrainable).toBe(840);
    expect(s.rows.map((r) => r.outputShape)).toEqual([
      [28, 28, 6],
      [14, 14, 6],
      [10, 10, 16],
      [5, 5, 16],
      [1, 1, 120],
      [120],
      [84],
      [10],
    ]);
  });

  it('takes MNIST as distributed (28×28) by padding to 32×32, and refuses other sizes', () => {
    const s = summary(getModel('lenet5', { input: [28, 28, 1] }), { input: [28, 28, 1] });
    expect(s.rows[0]?.outputShape).toEqual([32, 32, 1]);
    expect(s.totals.trainable).toBe(60_000);
    expect(() => getModel('lenet5', { input: [64, 64, 1] })).toThrow(
      'lenet5: the geometry needs a 32×32 (or 28×28, padded) input, received 64×64',
    );
  });

  it('runs forward on cpu and its RBF output is the negated distance to ±1 centres', async () => {
    const model = getModel('lenet5', { input: [28, 28, 1] });
    model.build([28, 28, 1], { seed: 1 });
    const y = model.apply(tf.zeros([2, 28, 28, 1]));
    expect(y.shape).toEqual([2, 10]);
    expect(Math.max(...(await y.data()))).toBeLessThanOrEqual(0);
    y.dispose();
    model.dispose();
  });

  it("C3's table (Table I): six maps read 3 S2 maps, nine read 4, one all 6; and it matches the paper's prose", () => {
    expect(LENET5_C3.map((maps) => maps.length)).toEqual([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6]);
    // The table as printed equals the one built from the paper's prose (what shape's and layers' tests use).
    expect(LENET5_C3).toEqual(testC3);
  });

  it('the modern form: ReLU, max pooling, softmax output, 61,706 parameters on 28×28', () => {
    const s = summary(getModel('lenet5-modern'), { input: [28, 28, 1] });
    expect(s.totals.params).toBe(156 + 2416 + 48_120 + 10_164 + 850);
    expect(s.output).toEqual([10]);
  });
});

describe('the registry', () => {
  it('lists models with computed parameters and MACs, and cards with sources', () => {
    const lenet = listModels().find((m) => m.name === 'lenet5');
    expect(lenet?.trainable).toBe(60_000);
    expect(lenet?.reported?.[0]?.source).toContain('LeCun');
    expect(modelCard('lenet5-modern').deviations.length).toBeGreaterThan(0);
    expect(() => getModel('wide-resnet50')).toThrow('getModel: unknown model "wide-resnet50": available are');
  });

  it("carries the papers' reported ImageNet top-5 errors with their sources", () => {
    const top5 = (name: string) =>
      modelCard(name)
        .reported?.filter((r) => r.metric === 'top-5 error')
        .map((r) => r.value);
    expect(top5('alexnet')).toEqual(expect.arrayContaining([15.3, 15.4]));
    expect(top5('zfnet')).toContain(14.8);
    expect(top5('vgg16')).toContain(7.3);
    expect(top5('googlenet')).toContain(6.67);
    for (const model of listModels())
      for (const r of model.reported ?? []) expect(r.source.length, model.name).toBeGreaterThan(10);
  });

  it('resolves aliases and smaller inputs: vgg16 / vgg19 at 224, vgg16 on CIFAR-10', () => {
    expect(summary(getModel('vgg16'), { input: [224, 224, 3] }).totals.params).toBe(138_357_544);
    expect(summary(getModel('vgg19'), { input: [224, 224, 3] }).totals.params).toBe(143_667_240);
    const cifar = summary(getModel('vgg16', { input: [32, 32, 3], numClasses: 10 }), { input: [32, 32, 3] });
    expect(cifar.output).toEqual([10]);
    expect(listModels().map((m) => m.name)).toEqual(
      expect.arrayContaining(['vgg-a-lrn', 'vgg-c', 'vgg-e-bn', 'nin', 'nin-cifar']),
    );
  });
});
