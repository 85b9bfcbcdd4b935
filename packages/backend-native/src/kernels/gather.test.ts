import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { expectSameAsCpu, startNative } from '../../test/harness.js';

const ready = await startNative();

describe.skipIf(!ready)('native GatherV2 vs tfjs cpu', () => {
  it.each([
    [[60, 4, 4, 1], [5, 0, 59, 5], 0],
    [
      [6, 7],
      [
        [1, 2],
        [3, 0],
      ],
      1,
    ],
    [[2, 3, 4], [2, 2, 0], 1],
    [[10], [9, 0, 3], 0],
  ] as const)('gather of [%j] at %j along axis %i', async (shape, indices, axis) => {
    await expectSameAsCpu(
      () =>
        tf.gather(
          tf.randomNormal([...shape], 0, 1, 'float32', 4),
          tf.tensor(indices as never, undefined, 'int32'),
          axis,
        ),
      { kernels: ['GatherV2'] },
    );
  });

  it('leaves an index out of range to the cpu kernel and its message', () => {
    expect(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([3], 'int32'))).toThrow(
      /GatherV2: the index value 3 is not in \[0, 2\]/,
    );
  });
});
