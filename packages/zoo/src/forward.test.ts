// Every registered model runs forward on the cpu backend, at a small input
// its geometry allows (so that CI can afford it), with 10 classes.
import { initBackend } from '@convkit/backend';
import { summary } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel, listModels } from './index.js';

/** A small input per model: the smallest sizes its card states, rounded up a little. */
const SMALL: Record<string, [number, number, number]> = {
  lenet5: [28, 28, 1],
  'lenet5-modern': [28, 28, 1],
  alexnet: [67, 67, 3],
  'alexnet-torchvision': [63, 63, 3],
  zfnet: [63, 63, 3],
  'zfnet-512': [59, 59, 3],
  nin: [63, 63, 3],
  'nin-cifar': [32, 32, 3],
  googlenet: [64, 64, 3],
  'googlenet-torchvision': [64, 64, 3],
  'inception-v2': [63, 63, 3],
  'inception-v3': [75, 75, 3],
  // MobileNets and ShuffleNets: five stride-2 steps take 32×32 to 1×1 before the global pool.
  'mobilenet-v1': [32, 32, 3],
  'mobilenet-v2': [32, 32, 3],
  'shufflenet-v1-g4': [32, 32, 3],
  'shufflenet-v2-x1.0': [32, 32, 3],
  'squeezenet-1.0': [29, 29, 3],
  'squeezenet-1.1': [25, 25, 3],
  densenet121: [29, 29, 3],
  // ResNets: 32×32 reaches 1×1 before the global pool; the deep ones cost their weights' allocation, not the forward.
  resnet18: [32, 32, 3],
  resnet34: [32, 32, 3],
  resnet50: [32, 32, 3],
  resnet101: [32, 32, 3],
  resnet152: [32, 32, 3],
  resnet20: [28, 28, 1],
  resnet56: [28, 28, 1],
  plain20: [28, 28, 1],
  plain56: [28, 28, 1],
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('every model runs forward on cpu at a small input', () => {
  const names = listModels().map((m) => m.name);

  it('covers every registered model', () => {
    for (const name of names)
      expect(SMALL[name] ?? (name.startsWith('vgg') ? [32, 32, 3] : undefined), name).toBeDefined();
  });

  it.each(names)(
    '%s',
    async (name) => {
      const input = SMALL[name] ?? ([32, 32, 3] as [number, number, number]);
      const model = getModel(name, { input, numClasses: 10 });
      const expected = summary(model, { input }).output;
      model.build(input, { seed: 1 });
      const x = tf.randomUniform([1, ...input], 0, 1, 'float32', 2);
      const y = model.apply(x);
      expect(y.shape).toEqual([1, ...expected]);
      expect([...(await y.data())].every(Number.isFinite)).toBe(true);
      tf.dispose([x, y]);
      model.dispose();
    },
    120_000,
  );
});
