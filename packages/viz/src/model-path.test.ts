import { initBackend } from '@convkit/backend';
import { Conv2d, Dense, Flatten, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationAt, fieldAt, layerKernel, layerNames, layerPath } from './model-path.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const model = () =>
  sequential(
    [
      sequential([new Conv2d({ filters: 4, kernel: 5, name: 'conv1' }), new MaxPool2d({ kernel: 2, name: 'pool1' })], {
        name: 'stem',
      }),
      new Conv2d({ filters: 8, kernel: 3, stride: 2, padding: 1, name: 'conv2' }),
      new Flatten({ name: 'flatten' }),
      new Dense({ units: 3, name: 'fc' }),
    ],
    { name: 'net' },
  );

describe('layer paths through nested sequential models', () => {
  it('lists names and finds the layers leading to one', () => {
    const m = model();
    expect(layerNames(m)).toEqual(['net', 'stem', 'conv1', 'pool1', 'conv2', 'flatten', 'fc']);
    // A container before the target runs whole; one holding it is opened.
    expect(layerPath(m, 'conv2').map((l) => l.name)).toEqual(['stem', 'conv2']);
    expect(layerPath(m, 'pool1').map((l) => l.name)).toEqual(['conv1', 'pool1']);
    expect(layerPath(m, 'stem').map((l) => l.name)).toEqual(['stem']);
    expect(() => layerPath(m, 'conv3')).toThrow(/no layer named "conv3" in net: the layers are net, stem, conv1/);
  });

  it('traces the receptive field up to a layer (Araujo et al.: size, jump, start)', () => {
    const m = model();
    // conv1 5×5: size 5, start 2; pool 2/2: size 6, jump 2, start 2.5; conv2 3×3/2 pad 1: size 10, jump 4,
    // start 2.5 + ((3 − 1)/2 − 1)·2 = 2.5.
    expect(fieldAt(m, [28, 28, 1], 'pool1')).toEqual({
      outputShape: [12, 12, 4],
      receptiveField: { size: [6, 6], jump: [2, 2], start: [2.5, 2.5] },
    });
    expect(fieldAt(m, [28, 28, 1], 'conv2').receptiveField).toEqual({
      size: [10, 10],
      jump: [4, 4],
      start: [2.5, 2.5],
    });
    expect(fieldAt(m, [28, 28, 1], 'fc')).toEqual({ outputShape: [3] });
  });

  it('runs the model up to a layer, the same as applying the layers by hand, without leaks', () => {
    const m = model().build([28, 28, 1], { seed: 3 });
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const y = activationAt(m, x, 'pool1');
    expect(y.shape).toEqual([2, 12, 12, 4]);
    const stem = layerPath(m, 'stem')[0];
    const direct = stem?.apply(x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, direct))).dataSync()[0])).toBe(0);
    tf.dispose([y, direct]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('finds a convolution kernel by layer name', () => {
    const m = model().build([28, 28, 1]);
    expect(layerKernel(m, 'conv2').shape).toEqual([3, 3, 4, 8]);
    expect(() => layerKernel(m, 'pool1')).toThrow(
      /pool1: has no 4-D kernel weight "pool1\/kernel".*conv1\/kernel, conv2\/kernel/,
    );
  });
});
