import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, startNative } from '../../test/harness.js';
import { tileInto } from './tile.js';

const ready = await startNative();

describe('tileInto', () => {
  it('repeats each axis as tf.tile does, by hand', () => {
    const out = new Float32Array(12);
    tileInto(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [2, 1], out);
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]);
    tileInto(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 2], out);
    expect(Array.from(out)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    const channels = new Float32Array(2 * 2 * 1 * 3);
    tileInto(Float32Array.from([7, 8, 9]), [1, 1, 1, 3], [2, 2, 1, 1], channels);
    expect(Array.from(channels)).toEqual([7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 8, 9]);
  });
});

const cases: [number[], number[]][] = [
  [
    [1, 1, 1, 16],
    [8, 28, 28, 1],
  ], // batch norm's gradient: [1, 1, 1, C] to [N, H, W, 1]
  [
    [2, 3],
    [3, 2],
  ],
  [
    [4, 1, 5],
    [1, 3, 2],
  ],
  [
    [2, 3, 4, 5],
    [2, 1, 3, 1],
  ],
  [[7], [5]],
  [
    [3, 2],
    [1, 1],
  ],
];

describe.skipIf(!ready)('native Tile vs tfjs cpu', () => {
  it.each(cases)('tile [%j] by %j', async (shape, reps) => {
    await expectSameAsCpu(() => tf.tile(tf.randomNormal(shape, 0, 1, 'float32', 3), reps), {
      kernels: ['Tile'],
      rtol: 0,
      atol: 0,
    });
  });
});
