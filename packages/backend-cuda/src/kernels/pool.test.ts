import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, seededValues, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';

const available = await startCuda();

type Pad = 'valid' | 'same' | number;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
interface Case {
  shape: [number, number, number, number];
  filter: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  rounding?: Rounding;
}

const forwardCases: Case[] = [
  { shape: [2, 6, 6, 3], filter: 2, strides: 2, pad: 'valid' },
  { shape: [1, 7, 9, 5], filter: 3, strides: 2, pad: 'valid' }, // overlapping (AlexNet), odd sizes
  { shape: [2, 5, 7, 4], filter: 3, strides: 1, pad: 'same' },
  { shape: [1, 9, 8, 3], filter: 3, strides: 2, pad: 'same' },
  { shape: [1, 6, 7, 2], filter: [2, 3], strides: [1, 2], pad: 1 },
  { shape: [1, 6, 6, 3], filter: 3, strides: 2, pad: 0, rounding: 'ceil' },
  { shape: [1, 5, 5, 2], filter: 2, strides: 2, pad: 1, rounding: 'ceil' }, // the last windows lie in the padding
  { shape: [1, 7, 7, 2], filter: 2, strides: 2, pad: 1, rounding: 'round' },
  { shape: [1, 4, 5, 3], filter: 1, strides: 2, pad: 'valid' },
];

// Gradients: tfjs-core drops dimRoundingMode when it calls the gradient kernels, so only floor rounding here.
const gradCases: Case[] = forwardCases.filter((c) => c.rounding === undefined);

/** Seeded values rounded to multiples of 0.5: many ties inside windows. */
function tied(seed: number, shape: number[]): tf.Tensor {
  const values = seededValues(
    seed,
    shape.reduce((a, b) => a * b, 1),
    -1.5,
    1.5,
  ).map((v) => Math.round(v * 2) / 2);
  return tf.tensor(values, shape);
}

describe.skipIf(!available)('cuda pooling (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('max-pools and average-pools: sizes, strides, same/valid/numeric pads, rounding', async () => {
    for (const [i, c] of forwardCases.entries()) {
      await expectSameOnCuda(
        () => {
          const x = seededTensor(100 + i, c.shape);
          return [
            // A window wholly in the padding gives -Infinity, which expectSameOnCuda cannot compare.
            tf.maximum(tf.maxPool(x as tf.Tensor4D, c.filter, c.strides, c.pad, c.rounding), -1e30),
            tf.avgPool(x as tf.Tensor4D, c.filter, c.strides, c.pad, c.rounding),
          ];
        },
        { gpuKernels: ['MaxPool', 'AvgPool'] },
      );
    }
  });

  it('ignores NaN in a max window, keeps it in an average, and takes rank 3 and empty batches', async () => {
    const values = seededValues(7, 2 * 5 * 5 * 2);
    for (const at of [0, 3, 17, 40, 41, 42, 43, 99]) values[at] = Number.NaN;
    await expectSameOnCuda(
      () => {
        const x = tf.tensor4d(values, [2, 5, 5, 2]);
        return [tf.maxPool(x, 2, 1, 'valid'), tf.avgPool(x, 3, 2, 'same')];
      },
      { gpuKernels: ['MaxPool', 'AvgPool'] },
    );
    await expectSameOnCuda(() => tf.maxPool(seededTensor(8, [5, 6, 3]) as tf.Tensor3D, 3, 2, 'same'), {
      gpuKernels: ['MaxPool'],
    });
    await expectSameOnCuda(() => tf.avgPool(tf.zeros([0, 4, 4, 2]) as tf.Tensor4D, 2, 2, 'valid'));
  });

  it('returns x for a 1×1 window of stride 1 (NaN included), as tfjs does', async () => {
    await expectSameOnCuda(() => tf.maxPool(tf.tensor4d([1, Number.NaN, -2, 3], [1, 2, 2, 1]), 1, 1, 'valid'));
  });

  it('max-pool gradient: first maximum in scan order takes it, overlapping windows add', async () => {
    for (const [i, c] of gradCases.entries()) {
      const x = seededTensor(200 + i, c.shape) as tf.Tensor4D;
      const dy = tf.tidy(() => {
        const y = tf.maxPool(x, c.filter, c.strides, c.pad);
        return seededTensor(300 + i, y.shape);
      });
      await expectSameOnCuda(
        () => tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, c.filter, c.strides, c.pad))(x, dy),
        {
          gpuKernels: ['MaxPoolGrad'],
        },
      );
      tf.dispose([x, dy]);
    }
  });

  it('max-pool gradient with ties: a constant input, and values with many equal maxima', async () => {
    await expectSameOnCuda(
      () =>
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, 'valid'))(
          tf.ones([1, 7, 7, 2]) as tf.Tensor4D,
          tf.ones([1, 3, 3, 2]),
        ),
      { gpuKernels: ['MaxPoolGrad'] },
    );
    await expectSameOnCuda(
      () =>
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 1, 'same'))(
          tf.fill([2, 5, 6, 3], 0.25) as tf.Tensor4D,
        ),
      { gpuKernels: ['MaxPoolGrad'] },
    );
    await expectSameOnCuda(
      () => {
        const x = tied(9, [2, 7, 6, 3]) as tf.Tensor4D;
        return [
          tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'))(x, seededTensor(10, [2, 4, 3, 3])),
          tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'))(x, seededTensor(11, [2, 3, 3, 3])),
        ];
      },
      { gpuKernels: ['MaxPoolGrad'] },
    );
  });

  it('average-pool gradient: every window a cell is in, / filter area as tfjs does', async () => {
    for (const [i, c] of gradCases.entries()) {
      const x = seededTensor(400 + i, c.shape) as tf.Tensor4D;
      const dy = tf.tidy(() => seededTensor(500 + i, tf.avgPool(x, c.filter, c.strides, c.pad).shape));
      await expectSameOnCuda(
        () => tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, c.filter, c.strides, c.pad))(x, dy),
        {
          gpuKernels: ['AvgPoolGrad'],
        },
      );
      tf.dispose([x, dy]);
    }
  });

  it('pool gradients where ceil rounding gives the same output size', async () => {
    const x = seededTensor(12, [1, 7, 7, 2]) as tf.Tensor4D;
    await expectSameOnCuda(
      () => [
        tf.grad((t: tf.Tensor) => tf.maxPool(t as tf.Tensor4D, 3, 2, 0, 'ceil'))(x),
        tf.grad((t: tf.Tensor) => tf.avgPool(t as tf.Tensor4D, 3, 2, 0, 'ceil'))(x),
      ],
      { gpuKernels: ['MaxPoolGrad', 'AvgPoolGrad'] },
    );
    x.dispose();
  });

  it('the binding refuses a bad geometry with a message that repeats it', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = backend.addon as unknown as {
      maxPool(y: number, x: number, geometry: Int32Array): void;
    };
    const x = tf.zeros([1, 4, 4, 1]);
    const y = tf.zeros([1, 2, 2, 1]);
    const geometry = (at: number, value: number) => {
      const g = Int32Array.from([1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0]);
      g[at] = value;
      return g;
    };
    expect(() => addon.maxPool(backend.pointer(y), backend.pointer(x), geometry(8, 0))).toThrow(
      /maxPool: geometry strideH must be >= 1, received 0/,
    );
    expect(() => addon.maxPool(backend.pointer(y), backend.pointer(x), geometry(4, 1000))).toThrow(
      /y \(argument 0\) is too small: needs 2000 elements/,
    );
    tf.dispose([x, y]);
  });
});
