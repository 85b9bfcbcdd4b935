import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, startNative } from '../../test/harness.js';
import { copyBox } from './slice-pad.js';

const ready = await startNative();

describe('copyBox', () => {
  it('copies a box between arrays of different shapes, by hand', () => {
    // src 3×4 = [[0..3],[4..7],[8..11]]; the 2×2 box at (1, 1) into a 3×3 destination at (0, 1).
    const dst = new Float32Array(9).fill(-1);
    copyBox(
      Float32Array.from({ length: 12 }, (_, i) => i),
      [3, 4],
      [1, 1],
      dst,
      [3, 3],
      [0, 1],
      [2, 2],
    );
    expect(Array.from(dst)).toEqual([-1, 5, 6, -1, 9, 10, -1, -1, -1]);
  });
});

const slices: [number[], number[], number[]][] = [
  [
    [2, 6, 6, 4],
    [0, 0, 0, 0],
    [2, 3, 1, 4],
  ], // everyNth's kept rows: not one block
  [
    [8, 14, 2, 16],
    [0, 0, 0, 0],
    [8, 14, 1, 16],
  ],
  [
    [3, 5, 7],
    [1, 2, 3],
    [2, -1, 2],
  ],
  [[10], [3], [4]],
  [
    [4, 4],
    [0, 0],
    [4, 4],
  ],
  [
    [2, 3, 4],
    [0, 1, 0],
    [2, 0, 4],
  ],
];

const pads: [number[], [number, number][], number][] = [
  [
    [2, 3, 3, 16],
    [
      [0, 0],
      [0, 0],
      [0, 0],
      [8, 8],
    ],
    0,
  ], // option A: channels padded both sides
  [
    [2, 5, 5, 3],
    [
      [0, 0],
      [0, 1],
      [0, 1],
      [0, 0],
    ],
    0,
  ], // everyNth's odd sizes
  [
    [3, 4],
    [
      [1, 2],
      [3, 0],
    ],
    1.5,
  ],
  [[5], [[2, 2]], -1],
];

describe.skipIf(!ready)('native Slice and PadV2 vs tfjs cpu', () => {
  it.each(slices)('slice %j at %j size %j', async (shape, begin, size) => {
    await expectSameAsCpu(() => tf.slice(tf.randomNormal(shape, 0, 1, 'float32', 4), begin, size), {
      kernels: ['Slice'],
      rtol: 0,
      atol: 0,
    });
  });

  it.each(pads)('pad %j by %j with %d', async (shape, paddings, value) => {
    await expectSameAsCpu(() => tf.pad(tf.randomNormal(shape, 0, 1, 'float32', 5), paddings, value), {
      kernels: ['PadV2'],
      rtol: 0,
      atol: 0,
    });
  });
});
