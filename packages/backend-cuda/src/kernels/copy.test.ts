import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import { cudaKernelCalls } from '../register.js';
import { mergeBox } from './copy.js';

const available = await startCuda();

describe.skipIf(!available)('cuda copies, fills and casts (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('merges the dimensions a copy walks as one run, and drops size-1 ones', () => {
    // A [2,3,4] → slice [1,3,4] of a [2,3,4]: one run of 12.
    expect(mergeBox([1, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({ dims: [12], toStrides: [1], fromStrides: [1] });
    // A transpose of the last two axes keeps them apart; the batch axis merges with nothing.
    expect(mergeBox([2, 4, 3], [12, 3, 1], [12, 1, 4])).toEqual({
      dims: [2, 4, 3],
      toStrides: [12, 3, 1],
      fromStrides: [12, 1, 4],
    });
    // Tile's 0 strides: the repetitions stay separate.
    expect(mergeBox([3, 2, 1, 5], [10, 5, 5, 1], [0, 5, 0, 1])).toEqual({
      dims: [3, 10],
      toStrides: [10, 1],
      fromStrides: [0, 1],
    });
    expect(mergeBox([1, 1], [1, 1], [1, 1])).toEqual({ dims: [], toStrides: [], fromStrides: [] });
  });

  it('reshape and identity share memory: no kernel, no copy', async () => {
    const x = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = x.reshape([3, 2]);
    expect(y.shape).toEqual([3, 2]);
    expect(await y.data()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    x.dispose();
    expect(await y.data()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    y.dispose();
  });

  it('transposes any permutation up to rank 6', async () => {
    await expectSameOnCuda(() => tf.transpose(seededTensor(1, [2, 3, 4, 5]), [0, 3, 1, 2]), {
      gpuKernels: ['Transpose'],
    });
    await expectSameOnCuda(() => tf.transpose(seededTensor(2, [2, 1, 3, 2, 2, 3]), [5, 4, 3, 2, 1, 0]));
    await expectSameOnCuda(() => tf.transpose(tf.tensor([[1, 2, 3]], [1, 3], 'int32')));
  });

  it('slices, concatenates, pads, reverses, tiles and splits', async () => {
    await expectSameOnCuda(() => tf.slice(seededTensor(3, [4, 5, 6]), [1, 0, 2], [2, -1, 3]), {
      gpuKernels: ['Slice'],
    });
    await expectSameOnCuda(
      () => tf.concat([seededTensor(4, [2, 3, 2]), seededTensor(5, [2, 1, 2]), seededTensor(6, [2, 4, 2])], 1),
      {
        gpuKernels: ['Concat'],
      },
    );
    await expectSameOnCuda(() => tf.concat([seededTensor(7, [0, 3]), seededTensor(8, [2, 3])], 0));
    await expectSameOnCuda(
      () =>
        tf.pad(
          seededTensor(9, [2, 3, 3, 2]),
          [
            [0, 0],
            [1, 2],
            [2, 1],
            [0, 1],
          ],
          0.5,
        ),
      {
        gpuKernels: ['PadV2'],
      },
    );
    await expectSameOnCuda(() => tf.reverse(seededTensor(10, [3, 4, 2]), [0, 2]), { gpuKernels: ['Reverse'] });
    await expectSameOnCuda(() => tf.tile(seededTensor(11, [2, 3]), [3, 2]), { gpuKernels: ['Tile'] });
    await expectSameOnCuda(() => tf.split(seededTensor(12, [4, 6]), [1, 2, 3], 1), { gpuKernels: ['SplitV'] });
    await expectSameOnCuda(() => tf.unstack(seededTensor(13, [3, 2, 2]), 1), { gpuKernels: ['Unpack'] });
    const x = seededTensor(17, [5, 6, 4]);
    await expectSameOnCuda(() => tf.stridedSlice(x, [1, 0, 3], [5, 6, 0], [2, 2, -1]), {
      gpuKernels: ['StridedSlice'],
    });
    await expectSameOnCuda(() => tf.stridedSlice(x, [-1, 1], [0, 5], [-2, 3], 0, 0, 0, 0, 0));
    await expectSameOnCuda(() => tf.stridedSlice(x, [2, 0, 1], [3, 6, 3], [1, 1, 1], 2, 2, 0, 0, 1));
    await expectSameOnCuda(() => tf.stridedSlice(x, [0, 1], [0, 2], [1, 1], 1, 1, 0, 2, 0));
    await expectSameOnCuda(() => tf.stridedSlice(x, [1, 0, 0], [1, 6, 4], [1, 1, 1]));
    x.dispose();
  });

  it('fills and casts like tfjs: truncation toward zero, NaN to 0, bool as != 0', async () => {
    await expectSameOnCuda(() => tf.fill([2, 3], 2.5), { gpuKernels: ['Fill'] });
    await expectSameOnCuda(() => [
      tf.zerosLike(seededTensor(14, [3, 3])),
      tf.onesLike(tf.tensor([1, 2], [2], 'int32')),
    ]);
    const values = tf.tensor([
      -2.7,
      -0.5,
      0,
      0.5,
      2.7,
      Number.NaN,
      1e10,
      1e20,
      -3e9,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
    ]);
    await expectSameOnCuda(() => [tf.cast(values, 'int32'), tf.cast(values, 'bool')], { gpuKernels: ['Cast'] });
    await expectSameOnCuda(() => [
      tf.cast(tf.tensor([0, 3, -1], [3], 'int32'), 'float32'),
      tf.cast(tf.tensor([true, false, true]), 'int32'),
    ]);
    values.dispose();
  });

  it('reads bool tensors back as Uint8Array, strings stay on the host', async () => {
    const flags = tf.tensor([true, false, true], [3], 'bool');
    const data = await flags.data();
    expect(data).toBeInstanceOf(Uint8Array);
    expect(Array.from(data)).toEqual([1, 0, 1]);
    const words = tf.tensor(['a', 'bc']);
    expect(await words.data()).toEqual(['a', 'bc']);
    tf.dispose([flags, words]);
  });

  it('runs a kernel without a GPU version on the CPU and counts it', async () => {
    const before = cudaKernelCalls().Cumsum?.cpu ?? 0;
    await expectSameOnCuda(() => tf.cumsum(seededTensor(15, [3, 4]), 1));
    expect(cudaKernelCalls().Cumsum?.cpu).toBe(before + 1);
  });

  it('frees device memory when tensors are disposed', async () => {
    const before = tf.memory();
    const blocks = (tf.backend() as unknown as { memory(): { liveBlocks: number } }).memory().liveBlocks;
    tf.tidy(() => {
      tf.transpose(seededTensor(16, [8, 8])).add(1);
    });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect((tf.backend() as unknown as { memory(): { liveBlocks: number } }).memory().liveBlocks).toBe(blocks);
  });
});
