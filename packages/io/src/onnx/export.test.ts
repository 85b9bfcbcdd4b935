import { initBackend } from '@convkit/backend';
import {
  Activation,
  AuxiliaryHead,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  Dropout,
  Flatten,
  GlobalPool2d,
  LocalResponseNorm,
  LpPool2d,
  MaxPool2d,
  sequential,
  ZeroPadding2d,
} from '@convkit/layers';
import { decodeGraph } from '@convkit/testdata';
import { getModel } from '@convkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareWithOrt } from '../../test/onnx-check.js';
import { randomizeWeights } from '../../test/random.js';
import { UnsupportedError } from '../errors.js';
import { exportOnnx } from './export.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('an exported model computes what convkit computes (onnxruntime-node, batch 2)', () => {
  it.each([
    ['lenet5-modern', [28, 28, 1]],
    // Caffe AlexNet (two towers: groups 2, LRN, ceil-mode pools) at 99×99, the map before fc6 2×2×256.
    ['alexnet', [99, 99, 3]],
    // VGG-11 at 64×64: 2×2×512 before fc6, so the (c, h, w) order of fc6's rows matters.
    ['vgg11', [64, 64, 3]],
    // GoogLeNet (Caffe: LRN, ceil-mode pools, nine inception concats) at 112×112.
    ['googlenet', [112, 112, 3]],
  ] as const)(
    '%s at %j',
    async (name, input) => {
      const model = getModel(name, { numClasses: 10 }).build([...input], { seed: 3 });
      randomizeWeights(model, 11);
      const { diff, scale } = await compareWithOrt(model, [...input], 2);
      expect(scale).toBeGreaterThan(1e-3); // a real signal, not all zeros
      expect(diff).toBeLessThan(1e-4);
      model.dispose();
    },
    120_000,
  );

  it('googlenet-torchvision with its auxiliary heads: batch norm everywhere, the heads left out', async () => {
    const model = getModel('googlenet-torchvision', { numClasses: 10, auxLogits: true }).build([224, 224, 3], {
      seed: 3,
    });
    randomizeWeights(model, 5);
    const { diff, bytes } = await compareWithOrt(model, [224, 224, 3], 1);
    expect(diff).toBeLessThan(1e-4);
    const ops = decodeGraph(bytes).nodes.map((n) => n.op);
    expect(ops.filter((op) => op === 'BatchNormalization')).toHaveLength(57);
    expect(ops.filter((op) => op === 'Gemm')).toHaveLength(1); // fc only: aux1 and aux2 are training-time heads
    model.dispose();
  }, 120_000);

  it('every layer option the exporter writes', async () => {
    const model = sequential([
      new ZeroPadding2d({
        padding: [
          [0, 1],
          [1, 0],
        ],
      }),
      new Conv2d({ filters: 6, kernel: 3, stride: 2, dilation: 2, padding: 'same', activation: 'leakyRelu' }),
      new Conv2d({ filters: 6, kernel: [3, 1], groups: 3, padding: [[1, 0], 0], activation: 'tanh' }),
      new BatchNorm({ epsilon: 1e-3 }),
      new Activation({ fn: 'leakyRelu', alpha: 0.2 }),
      new LocalResponseNorm({ size: 3, alpha: 1e-2, beta: 0.6, k: 1.5 }),
      new Concat([
        new Conv2d({ filters: 4, kernel: 1, activation: 'sigmoid' }),
        sequential([
          new MaxPool2d({ kernel: 3, stride: 1, padding: 1 }),
          new Conv2d({ filters: 2, kernel: 1, activation: 'elu' }),
        ]),
        new Concat([
          new Conv2d({ filters: 3, kernel: 3, padding: 'same-lower', dilation: 2, activation: 'selu' }),
          new AvgPool2d({ kernel: 3, stride: 1, padding: 1, countIncludePad: true }),
        ]),
      ]),
      new AuxiliaryHead(sequential([new GlobalPool2d(), new Dense({ units: 3 })])),
      new AvgPool2d({ kernel: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: true }),
      new AvgPool2d({ kernel: 2, stride: 2, ceilMode: true }),
      new MaxPool2d({ kernel: 2, stride: 1, ceilMode: true }),
      new Conv2d({ filters: 3, kernel: 1, activation: 'relu6', connections: [[0, 1], [2, 5, 9], [14]] }),
      new Activation({ fn: 'softplus' }),
      new Flatten(),
      new Dropout({ rate: 0.5 }),
      new Activation({ fn: 'relu' }),
      new Dense({ units: 7, bias: false }),
      new BatchNorm(),
      new Dense({ units: 5, activation: 'softmax' }),
    ]);
    const input: [number, number, number] = [17, 13, 3];
    model.build(input, { seed: 1 });
    randomizeWeights(model, 2);
    const { diff } = await compareWithOrt(model, input, 2);
    expect(diff).toBeLessThan(1e-5);
  });

  it('maps as outputs, softmax over channels, flatten with no dense after it, global max pool', async () => {
    const input: [number, number, number] = [9, 7, 4];
    const map = sequential([new Conv2d({ filters: 5, kernel: 3, activation: 'softmax' })]);
    map.build(input, { seed: 1 });
    randomizeWeights(map, 4);
    expect((await compareWithOrt(map, input, 2)).diff).toBeLessThan(1e-5);
    const flat = sequential([new Conv2d({ filters: 3, kernel: 2 }), new Flatten()]);
    flat.build(input, { seed: 1 });
    randomizeWeights(flat, 5);
    expect((await compareWithOrt(flat, input, 2)).diff).toBeLessThan(1e-5);
    const pooled = sequential([new Conv2d({ filters: 3, kernel: 2 }), new GlobalPool2d({ mode: 'max' })]);
    pooled.build(input, { seed: 1 });
    randomizeWeights(pooled, 6);
    expect((await compareWithOrt(pooled, input, 2)).diff).toBeLessThan(1e-5);
  });
});

describe('exportOnnx errors', () => {
  it('names a layer it cannot write, with its type and what it can write', async () => {
    const model = sequential([new Conv2d({ filters: 2, kernel: 3 }), new LpPool2d({ kernel: 2, p: 2 })]);
    model.build([8, 8, 1]);
    await expect(exportOnnx(model, { input: [8, 8, 1] })).rejects.toThrow(UnsupportedError);
    await expect(exportOnnx(model, { input: [8, 8, 1] })).rejects.toThrow(/^lpPool2d1 \(lpPool2d\): .*conv2d/);
  });

  it('refuses opsets it does not write', async () => {
    const model = sequential([new Flatten()]);
    model.build([2, 2, 1]);
    await expect(exportOnnx(model, { input: [2, 2, 1], opset: 9 })).rejects.toThrow(/opset 9 .* 13 to 21/);
  });
});
