import { initBackend } from '@convkit/backend';
import { Conv2d, type Layer, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Conv, deconvOne, type Geometry, randoms } from '../../test/naive-deconv.js';
import { deconvnet } from './deconvnet.js';

// The deconvnet's steps (switches, unpooling, rectification, transposed filters), through deconvnet, against plain loops.

beforeAll(async () => {
  await initBackend('cpu');
});

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
