import { initBackend } from '@convkit/backend';
import { ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Activation } from './activation.js';
import { Conv2d } from './conv.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { ConfigError } from './errors.js';
import { initialize } from './initializers.js';
import { MaxPool2d } from './pool.js';
import { fromJSON, registerLayer } from './registry.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('bad configurations throw typed errors that name the layer and repeat the values', () => {
  it('a kernel larger than the padded input', () => {
    expect(() => new Conv2d({ name: 'c1', filters: 1, kernel: 7 }).outputShape([5, 5, 1])).toThrow(ShapeError);
    expect(() => new Conv2d({ name: 'c1', filters: 1, kernel: 7 }).outputShape([5, 5, 1])).toThrow(
      'c1: kernel 7, more than the padded input 5 + 0 + 0 = 5',
    );
  });

  it('filters not divisible by groups', () => {
    expect(() => new Conv2d({ name: 'towers', filters: 5, kernel: 3, groups: 2 }).outputShape([8, 8, 4])).toThrow(
      'towers: 4 input channels and 5 filters must both divide into 2 groups',
    );
  });

  it('an unknown padding mode', () => {
    expect(() => new MaxPool2d({ name: 'p', kernel: 2, padding: 'full' as never }).outputShape([8, 8, 1])).toThrow(
      'p: unknown padding mode "full"',
    );
  });

  it('wrong input rank or channels at apply time, and apply before build', () => {
    const conv = new Conv2d({ name: 'conv1', filters: 2, kernel: 3 });
    expect(() => conv.apply(tf.zeros([1, 8, 8, 3]))).toThrow('conv1: apply before build: call build(inputShape) first');
    conv.build([8, 8, 3]);
    expect(() => conv.apply(tf.zeros([1, 8, 8, 4]))).toThrow(
      'conv1: expects inputs of shape [batch, 8, 8, 3] (rank 4, 3 channels), received [1, 8, 8, 4]',
    );
    expect(() => conv.apply(tf.zeros([8, 8, 3]))).toThrow(ShapeError);
    // Other spatial sizes are fine: convolutions take variable-size inputs.
    const y = conv.apply(tf.zeros([1, 12, 10, 3]));
    expect(y.shape).toEqual([1, 10, 8, 2]);
    tf.dispose(y);
    conv.dispose();
  });

  it('dense needs a flat input', () => {
    expect(() => new Dense({ name: 'fc', units: 10 }).outputShape([7, 7, 512])).toThrow(
      "fc: a dense layer needs a flat input, received [7, 7, 512]: add { type: 'flatten' } before it",
    );
  });

  it('options out of range', () => {
    expect(() => new Dropout({ name: 'd', rate: 1 })).toThrow(ConfigError);
    expect(() => new Dropout({ name: 'd', rate: 1 })).toThrow('d: rate must be in [0, 1), received 1');
    expect(() => new Activation({ name: 'a', fn: 'swoosh' as never })).toThrow('a: unknown activation "swoosh"');
    expect(() => initialize('orthogonal' as never, [2, 2], 0, 'c')).toThrow('c: unknown initializer "orthogonal"');
  });

  it('duplicate registrations and unknown types', () => {
    expect(() => registerLayer('conv2d', (c) => new Conv2d(c))).toThrow(
      'registerLayer: layer type "conv2d" is already registered: pick another name',
    );
    expect(() => fromJSON({ type: 'conv3d', config: {} })).toThrow('createLayer: unknown layer type "conv3d"');
  });

  it('setting weights reports every mismatch at once', () => {
    const dense = new Dense({ name: 'fc', units: 2 }).build([3]);
    expect(() => dense.setWeights({ 'fc/kernel': tf.zeros([2, 2]), 'fc/gamma': tf.zeros([2]) })).toThrow(
      'fc: cannot set weights: fc/kernel is [3, 2], received [2, 2]; no weight fc/gamma (weights: fc/kernel, fc/bias)',
    );
    dense.dispose();
  });
});

describe('initializers', () => {
  it('are seeded: the same seed gives the same bits, and scale by fan-in', async () => {
    const a = initialize('heNormal', [3, 3, 64, 32], 5);
    const b = initialize('heNormal', [3, 3, 64, 32], 5);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    const { variance } = tf.moments(a);
    // He: variance 2 / fan-in = 2 / 576.
    expect((await variance.data())[0]).toBeCloseTo(2 / 576, 3);
    const gauss = initialize({ normal: { stddev: 0.01 } }, [4096], 1);
    expect((await tf.moments(gauss).variance.data())[0]).toBeCloseTo(1e-4, 5);
    tf.dispose([a, b, variance, gauss]);
  });
});
