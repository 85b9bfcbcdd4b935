import { initBackend } from '@convkit/backend';
import {
  Activation,
  AvgPool2d,
  ConfigError,
  Conv2d,
  Dropout,
  type Layer,
  LocalResponseNorm,
  MaxPool2d,
  sequential,
} from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { randoms } from '../../test/naive-deconv.js';
import { barDetector, plantedDataset } from '../../test/planted.js';
import { fieldAt } from '../model-path.js';
import { fieldBox } from '../top-patches.js';
import { deconvnet } from './deconvnet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('deconvnet on a model', () => {
  it('opens nested sequentials and passes dropout and linear activations through', async () => {
    const conv = () => new Conv2d({ name: 'conv', filters: 2, kernel: 3 });
    const plain = sequential([conv(), new Activation({ fn: 'relu' }), new MaxPool2d({ kernel: 2, name: 'pool' })]);
    const nested = sequential([
      sequential([conv(), new Dropout({ rate: 0.5 }), new Activation({ fn: 'relu' })], { name: 'stem' }),
      new Activation({ fn: 'linear' }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
    ]);
    const x = tf.tensor4d(randoms(2 * 36, 5), [2, 6, 6, 1]);
    plain.build([6, 6, 1], { seed: 2 });
    nested.build([6, 6, 1]);
    nested.setWeights(plain.getWeights()); // one conv, the same weights in both
    const results = [];
    for (const model of [plain, nested]) {
      results.push(await deconvnet(model, x, { layer: 'pool', channel: 1 }));
      model.dispose();
    }
    x.dispose();
    expect([...(results[1]?.data ?? [])]).toEqual([...(results[0]?.data ?? [])]);
  });

  it('passes the signal back unchanged through the layers listed in passThrough, if they keep the shape', async () => {
    const conv = () => new Conv2d({ name: 'conv', filters: 2, kernel: 3, activation: 'relu' });
    const plain = sequential([conv(), new MaxPool2d({ kernel: 2, name: 'pool' })]);
    // alpha 0, k 1: the normalization divides by 1, so the forward pass is the plain model's.
    const normed = sequential([
      conv(),
      new LocalResponseNorm({ name: 'norm', alpha: 0, k: 1 }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
    ]);
    plain.build([6, 6, 1], { seed: 4 });
    normed.build([6, 6, 1]);
    normed.setWeights(plain.getWeights());
    const x = tf.tensor4d(randoms(36, 6), [1, 6, 6, 1]);
    await expect(deconvnet(normed, x, { layer: 'pool' })).rejects.toThrow(
      /^norm: lrn cannot be inverted: .*passThrough/,
    );
    const expected = await deconvnet(plain, x, { layer: 'pool', channel: 0 });
    for (const passThrough of [['lrn'], ['norm']]) {
      const p = await deconvnet(normed, x, { layer: 'pool', channel: 0, passThrough });
      expect([...p.data]).toEqual([...expected.data]);
    }
    await expect(deconvnet(plain, x, { layer: 'pool', passThrough: ['maxPool2d'] })).rejects.toThrow(
      /^pool: maxPool2d maps \[1, 4, 4, 2\] to \[1, 2, 2, 2\]: only a layer that keeps the shape/,
    );
    x.dispose();
    plain.dispose();
    normed.dispose();
  });

  it('refuses a layer it cannot invert, naming the layer and its kind', async () => {
    const model = sequential([
      new Conv2d({ name: 'c1', filters: 1, kernel: 3, activation: 'tanh' }),
      new AvgPool2d({ name: 'avg', kernel: 2 }),
    ]);
    model.build([6, 6, 1]);
    const x = tf.zeros([1, 6, 6, 1]);
    const failure = async (layer: string) => {
      try {
        await deconvnet(model as Layer, x, { layer });
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('deconvnet did not throw');
    };
    const tanh = await failure('c1');
    expect(tanh).toBeInstanceOf(ConfigError);
    expect(tanh.layer).toBe('c1');
    expect(tanh.message).toContain('conv2d (tanh) cannot be inverted');
    expect((await failure('avg')).layer).toBe('c1'); // the first layer on the way that cannot be inverted
    x.dispose();
    model.dispose();
    const pooled = sequential([
      new Conv2d({ filters: 1, kernel: 3, activation: 'relu' }),
      new AvgPool2d({ name: 'avg', kernel: 2 }),
    ]);
    pooled.build([6, 6, 1]);
    const y = tf.zeros([1, 6, 6, 1]);
    await expect(deconvnet(pooled, y, { layer: 'avg' })).rejects.toThrow(
      /^avg: avgPool2d cannot be inverted: the deconvnet inverts conv2d/,
    );
    y.dispose();
    pooled.dispose();
  });

  it('names the layers when the target does not exist, and checks the channel, leaving no tensor behind', async () => {
    const model = sequential([new Conv2d({ name: 'c1', filters: 2, kernel: 3, activation: 'relu' })]);
    model.build([5, 5, 1]);
    const x = tf.zeros([1, 5, 5, 1]);
    const before = tf.memory().numTensors;
    await expect(deconvnet(model, x, { layer: 'conv9' })).rejects.toThrow(/no layer named "conv9".*c1/);
    await expect(deconvnet(model, x, { layer: 'c1', channel: 2 })).rejects.toThrow(
      /channel must be one of 0 … 1.*received 2/,
    );
    expect(tf.memory().numTensors).toBe(before); // the forward pass's output is freed when the channel is refused
    const flat = tf.zeros([5, 5, 1]);
    await expect(deconvnet(model, flat, { layer: 'c1' })).rejects.toThrow(ConfigError);
    tf.dispose([x, flat]);
    model.dispose();
  });
});

describe('deconvnet on a planted pattern', () => {
  it('projects the strongest unit of conv + relu + max pool back to the planted bar, in its place', async () => {
    const size = 12;
    const data = plantedDataset(1, size, [{ example: 0, row: 5, col: 6, value: 255 }]);
    const model = barDetector(size, { pool: true }); // the planted filter: the bar's matched filter
    const x = tf.div(tf.tensor4d(data.images, [1, size, size, 1], 'float32'), 255);
    const p = await deconvnet(model, x, { layer: 'pool' });
    x.dispose();
    const [unit] = p.units;
    const field = fieldAt(model, [size, size, 1], 'pool').receptiveField;
    const box = fieldBox(field, unit?.position[0] ?? 0, unit?.position[1] ?? 0, size, size).clipped;
    // The unit sees the bar: its 4×4 field holds the planted 3×3 window (rows 5–7, columns 6–8).
    expect(box.top <= 5 && box.left <= 6 && box.top + box.height >= 8 && box.left + box.width >= 9).toBe(true);
    const inside = (i: number) =>
      Math.floor(i / size) >= 5 && Math.floor(i / size) < 8 && i % size >= 6 && i % size < 9;
    expect([...p.data].every((v, i) => inside(i) || v === 0)).toBe(true);
    const pixels: number[] = [];
    const projected: number[] = [];
    for (let y = box.top; y < box.top + box.height; y++) {
      for (let x = box.left; x < box.left + box.width; x++) {
        pixels.push(data.images[y * size + x] as number);
        projected.push(p.data[y * size + x] as number);
      }
    }
    expect(correlation(pixels, projected)).toBeGreaterThanOrEqual(0.9);
    const peak = [...p.data].indexOf(Math.max(...p.data));
    expect(peak % size).toBe(7); // the bar's column
    model.dispose();
  });
});

function correlation(a: readonly number[], b: readonly number[]): number {
  const mean = (v: readonly number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  a.forEach((x, i) => {
    const y = (b[i] as number) - mb;
    ab += (x - ma) * y;
    aa += (x - ma) ** 2;
    bb += y ** 2;
  });
  return ab / Math.sqrt(aa * bb);
}
