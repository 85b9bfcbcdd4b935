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
import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Conv, deconvOne, type Geometry } from '../../test/naive-deconv.js';
import { barDetector, plantedDataset } from '../../test/planted.js';
import { fieldAt } from '../model-path.js';
import { fieldBox } from '../top-patches.js';
import { deconvnet } from './deconvnet.js';

beforeAll(async () => {
  await initBackend('cpu');
});

function randoms(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

describe('deconvnet: unpooling puts the signal at the recorded switches', () => {
  // A 1×1 convolution of weight 1 and a ReLU pass the input through, so the pool's switches are the input's maxima.
  let model: Layer;
  beforeAll(() => {
    model = sequential([
      new Conv2d({ name: 'id', filters: 1, kernel: 1, bias: false, activation: 'relu' }),
      new MaxPool2d({ name: 'pool', kernel: 2 }),
    ]);
    model.build([4, 4, 1]);
    tf.tidy(() => model.setWeights({ 'id/kernel': tf.ones([1, 1, 1, 1]) }));
  });
  // biome-ignore format: the 4×4 image, row by row
  const image = [
    1, 2,   0, 5,
    3, 0,   4, 1,

    0, 7,   2, 2,
    6, 1,   2, 0,
  ];

  it('projects a chosen pool unit to its window maximum and nowhere else', async () => {
    const x = tf.tensor4d(image, [1, 4, 4, 1]);
    const p = await deconvnet(model, x, { layer: 'pool', channel: 0, position: [0, 1] });
    x.dispose();
    const expected = new Array(16).fill(0);
    expected[3] = 5; // row 0, column 3: the maximum of the top-right window
    expect([...p.data]).toEqual(expected);
    expect(p.units).toEqual([{ channel: 0, position: [0, 1], value: 5 }]);
    expect(p.shape).toEqual([1, 4, 4, 1]);
  });

  it('defaults to the strongest position, and ties go to the first element of the window', async () => {
    const x = tf.tensor4d([...image, ...image.map((v) => (v === 7 ? 2 : v))], [2, 4, 4, 1]);
    const p = await deconvnet(model, x, { layer: 'pool', channel: 0 });
    x.dispose();
    expect(p.units.map((u) => [u.position, u.value])).toEqual([
      [[1, 0], 7],
      [[1, 0], 6],
    ]);
    expect([...p.data.subarray(0, 16)].findIndex((v) => v !== 0)).toBe(9); // the 7 at row 2, column 1
    // Without the 7, the bottom-left window's maximum is the 6 at row 3, column 0.
    expect([...p.data.subarray(16)].map((v, i) => [i, v]).filter(([, v]) => v !== 0)).toEqual([[12, 6]]);
  });
});

/** conv → ReLU → max pool as layers, and the same geometry written out by hand for the naive oracle. */
interface Case {
  name: string;
  input: [number, number, number];
  conv: ConstructorParameters<typeof Conv2d>[0];
  pool: ConstructorParameters<typeof MaxPool2d>[0];
  naive: { conv: Omit<Conv, 'weights'>; pool: Geometry };
}

const CASES: Case[] = [
  {
    name: 'valid 3×3, 2×2 pool leaving a row out',
    input: [7, 7, 1],
    conv: { filters: 2, kernel: 3, activation: 'relu' },
    pool: { kernel: 2 },
    naive: {
      conv: {
        kernel: [3, 3],
        stride: [1, 1],
        pad: [0, 0],
        dilation: [1, 1],
        output: [5, 5],
        cin: 1,
        cout: 2,
        groups: 1,
      },
      pool: { kernel: [2, 2], stride: [2, 2], pad: [0, 0], dilation: [1, 1], output: [2, 2] },
    },
  },
  {
    name: "stride 2, 'same' padding, 2 groups, overlapping 3/2 pool",
    input: [9, 9, 4],
    conv: { filters: 4, kernel: 3, stride: 2, padding: 'same', groups: 2, activation: 'relu' },
    pool: { kernel: 3, stride: 2 },
    naive: {
      // ceil(9/2) = 5 outputs; (5 − 1)·2 + 3 − 9 = 2 padding, 1 on each side.
      conv: {
        kernel: [3, 3],
        stride: [2, 2],
        pad: [1, 1],
        dilation: [1, 1],
        output: [5, 5],
        cin: 4,
        cout: 4,
        groups: 2,
      },
      pool: { kernel: [3, 3], stride: [2, 2], pad: [0, 0], dilation: [1, 1], output: [2, 2] },
    },
  },
  {
    name: 'dilation 2, padding 1, 2×3 kernel',
    input: [8, 9, 2],
    conv: { filters: 3, kernel: [2, 3], dilation: 2, padding: 1, activation: 'relu' },
    pool: { kernel: 2 },
    naive: {
      // (8 + 2 − 3) + 1 = 8 rows, (9 + 2 − 5) + 1 = 7 columns.
      conv: {
        kernel: [2, 3],
        stride: [1, 1],
        pad: [1, 1],
        dilation: [2, 2],
        output: [8, 7],
        cin: 2,
        cout: 3,
        groups: 1,
      },
      pool: { kernel: [2, 2], stride: [2, 2], pad: [0, 0], dilation: [1, 1], output: [4, 3] },
    },
  },
];

describe('deconvnet against plain loops', () => {
  for (const c of CASES) {
    it(`${c.name}: switches, rectification and transposed filters as the naive deconvnet`, async () => {
      const model = sequential([new Conv2d({ ...c.conv, name: 'conv' }), new MaxPool2d({ ...c.pool, name: 'pool' })]);
      model.build(c.input, { seed: 7 });
      const weights = await model.getWeights()['conv/kernel']?.data();
      tf.tidy(() => model.setWeights({ 'conv/bias': tf.zeros([c.conv.filters]) }));
      const size = c.input[0] * c.input[1] * c.input[2];
      const data = randoms(2 * size, 3);
      const x = tf.tensor4d(data, [2, ...c.input]);
      const before = tf.memory().numTensors;
      const p = await deconvnet(model, x, { layer: 'pool', channel: [1, 0] });
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
      const [h, w] = c.input;
      for (const b of [0, 1]) {
        const unit = p.units[b] as (typeof p.units)[number];
        const naive = deconvOne(
          data.subarray(b * size, (b + 1) * size),
          h,
          w,
          { ...c.naive.conv, weights: weights as Float32Array },
          c.naive.pool,
          [...unit.position, unit.channel],
        );
        // The unit is the channel's strongest pool output.
        const channel = [...naive.pooled].filter((_, i) => i % c.conv.filters === unit.channel);
        expect(unit.value).toBeCloseTo(Math.max(...channel), 5);
        expect(unit.value).toBeGreaterThan(0);
        const got = [...p.data.subarray(b * size, (b + 1) * size)];
        expect(got).toEqual([...naive.projection].map((v) => expect.closeTo(v, 5)));
        expect(got.some((v) => v !== 0)).toBe(true);
      }
    });
  }
});

describe('deconvnet with a connection table', () => {
  it('transposes only the connected filter taps, as the forward pass reads them', async () => {
    // Filter 0 reads channel 0, filter 1 channels 1 and 2; the kernel is set with every entry non-zero.
    const connections = [[0], [1, 2]];
    const model = sequential([
      new Conv2d({ name: 'conv', filters: 2, kernel: 3, connections, bias: false, activation: 'relu' }),
      new MaxPool2d({ name: 'pool', kernel: 2 }),
    ]);
    model.build([6, 6, 3]);
    const kernel = randoms(3 * 3 * 3 * 2, 9);
    tf.tidy(() => model.setWeights({ 'conv/kernel': tf.tensor4d(kernel, [3, 3, 3, 2]) }));
    const masked = kernel.map((v, i) => (connections[i % 2]?.includes(Math.floor(i / 2) % 3) ? v : 0));
    const data = randoms(6 * 6 * 3, 10);
    const x = tf.tensor4d(data, [1, 6, 6, 3]);
    for (const channel of [0, 1]) {
      const p = await deconvnet(model, x, { layer: 'pool', channel });
      const unit = p.units[0] as (typeof p.units)[number];
      const g: Pick<Geometry, 'pad' | 'dilation'> = { pad: [0, 0], dilation: [1, 1] };
      const conv: Conv = {
        ...g,
        kernel: [3, 3],
        stride: [1, 1],
        output: [4, 4],
        cin: 3,
        cout: 2,
        groups: 1,
        weights: masked,
      };
      const pool: Geometry = { ...g, kernel: [2, 2], stride: [2, 2], output: [2, 2] };
      const naive = deconvOne(data, 6, 6, conv, pool, [...unit.position, channel]);
      expect(unit.value).toBeCloseTo(
        naive.pooled[(unit.position[0] * 2 + unit.position[1]) * 2 + channel] as number,
        5,
      );
      expect([...p.data]).toEqual([...naive.projection].map((v) => expect.closeTo(v, 5)));
      // Filter 0 never reads channels 1 and 2, so nothing is projected there.
      if (channel === 0) expect([...p.data].filter((_, i) => i % 3 !== 0).every((v) => v === 0)).toBe(true);
    }
    x.dispose();
    model.dispose();
  });
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

  it('names the layers when the target does not exist, and checks the channel', async () => {
    const model = sequential([new Conv2d({ name: 'c1', filters: 2, kernel: 3, activation: 'relu' })]);
    model.build([5, 5, 1]);
    const x = tf.zeros([1, 5, 5, 1]);
    await expect(deconvnet(model, x, { layer: 'conv9' })).rejects.toThrow(/no layer named "conv9".*c1/);
    await expect(deconvnet(model, x, { layer: 'c1', channel: 2 })).rejects.toThrow(
      /channel must be one of 0 … 1.*received 2/,
    );
    await expect(deconvnet(model, tf.zeros([5, 5, 1]) as tf.Tensor, { layer: 'c1' })).rejects.toThrow(ConfigError);
    tf.dispose(x);
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
