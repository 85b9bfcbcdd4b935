import { initBackend } from '@convkit/backend';
import { Conv2d, Dense, Flatten, type Layer, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { poolingInvariance, shiftEquivariance } from './equivariance.js';
import { shiftImages } from './shift.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const SIZE = 16;
const image = () => tf.randomUniform([1, SIZE, SIZE, 1], 0, 1, 'float32', 42) as tf.Tensor4D;

function built(layers: Layer[]): Layer {
  return sequential(layers, { name: 'net' }).build([SIZE, SIZE, 1], { seed: 7 });
}

describe('shiftImages', () => {
  it('moves content down/right (positive) or up/left (negative), filling with zeros', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    expect([...shiftImages(x, 0, 1).dataSync()]).toEqual([0, 1, 2, 0, 4, 5, 0, 7, 8]);
    expect([...shiftImages(x, -1, 0).dataSync()]).toEqual([4, 5, 6, 7, 8, 9, 0, 0, 0]);
  });
});

describe('shiftEquivariance', () => {
  it('a convolution commutes with shifts: shift by 2 moves the maps by exactly 2, away from borders', async () => {
    const model = built([new Conv2d({ filters: 3, kernel: 3, activation: 'relu', name: 'conv' })]);
    const r = await shiftEquivariance(model, image(), { layer: 'conv', shift: 2 });
    expect(r).toMatchObject({ shift: [0, 2], jump: [1, 1], mapShift: [0, 2], exact: true });
    // Valid 3×3 on 16 px: 14 outputs; output j sees j … j + 2, clear of the 2 shifted-in columns from j = 2.
    expect(r.interior).toEqual({ top: 0, left: 2, height: 14, width: 12 });
    expect(r.compared).toBe(14 * 12 * 3);
    expect(r.maxAbsError).toBeLessThan(1e-6);
    const diagonal = await shiftEquivariance(model, image(), { layer: 'conv', shift: [1, -3] });
    expect(diagonal.maxAbsError).toBeLessThan(1e-6);
    expect(diagonal.interior).toEqual({ top: 1, left: 0, height: 13, width: 11 });
    // Five panels: input, shifted input, two maps and their difference.
    expect(r.image.width).toBeGreaterThan(5 * SIZE * 4);
  });

  it('excludes the padded border of a same convolution, and scales the shift by the stride', async () => {
    const same = built([new Conv2d({ filters: 2, kernel: 3, padding: 'same', name: 'conv' })]);
    const r = await shiftEquivariance(same, image(), { layer: 'conv', shift: 3 });
    expect(r.interior).toEqual({ top: 1, left: 4, height: 14, width: 11 });
    expect(r.maxAbsError).toBeLessThan(1e-6);
    const strided = built([new Conv2d({ filters: 2, kernel: 3, stride: 2, name: 'conv' })]);
    const s = await shiftEquivariance(strided, image(), { layer: 'conv', shift: 2 });
    expect(s).toMatchObject({ jump: [2, 2], mapShift: [0, 1], exact: true });
    expect(s.maxAbsError).toBeLessThan(1e-6);
  });

  it('a stride-2 max pool after the convolution is equivariant for even shifts only', async () => {
    const model = built([
      new Conv2d({ filters: 4, kernel: 3, name: 'conv' }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
    ]);
    const even = await shiftEquivariance(model, image(), { layer: 'pool', shift: 2 });
    expect(even).toMatchObject({ jump: [2, 2], mapShift: [0, 1], exact: true });
    expect(even.maxAbsError).toBeLessThan(1e-6);
    const odd = await shiftEquivariance(model, image(), { layer: 'pool', shift: 1 });
    expect(odd.exact).toBe(false);
    expect(odd.relativeError).toBeGreaterThan(0.01);
    expect(odd.maxAbsError).toBeGreaterThan(1e-3);
  });

  it('explains layers without maps and shifts that leave nothing to compare', async () => {
    const model = built([
      new Conv2d({ filters: 1, kernel: 3, name: 'conv' }),
      new Flatten(),
      new Dense({ units: 2, name: 'fc' }),
    ]);
    await expect(shiftEquivariance(model, image(), { layer: 'fc', shift: 1 })).rejects.toThrow(
      /shiftEquivariance\(fc\): needs a layer whose output is still an image, fc gives \[2\]/,
    );
    await expect(shiftEquivariance(model, image(), { layer: 'conv', shift: 1.5 })).rejects.toThrow(
      /shift must be an integer or \[dy, dx\] integers, received 1.5/,
    );
    await expect(shiftEquivariance(model, image(), { layer: 'conv', shift: 14 })).rejects.toThrow(
      /no interior left to compare/,
    );
  });
});

describe('poolingInvariance', () => {
  it('max pooling leaves a share of outputs unchanged under a 1-pixel shift; a plain convolution hardly any', async () => {
    const model = built([
      new Conv2d({ filters: 4, kernel: 3, name: 'conv' }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
    ]);
    const before = tf.memory().numTensors;
    const pooled = await poolingInvariance(model, image(), { layer: 'pool', shifts: [1, [1, 0]] });
    const conv = await poolingInvariance(model, image(), { layer: 'conv', shifts: [1] });
    expect(tf.memory().numTensors).toBe(before + 2); // the two input images made by image()
    const [right, down] = pooled.rows;
    expect(right?.shift).toEqual([0, 1]);
    expect(down?.shift).toEqual([1, 0]);
    expect(right?.unchangedFraction).toBeGreaterThan(0.2);
    expect(right?.unchangedFraction).toBeLessThan(1);
    expect(conv.rows[0]?.unchangedFraction).toBeLessThan(0.05);
    // Without a ReLU there are no zeros: every compared output is active.
    expect(right?.unchangedActiveFraction).toBe(right?.unchangedFraction);
    expect(right?.relativeChange).toBeLessThan(conv.rows[0]?.relativeChange ?? 0);
  });
});
