import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, seededValues, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';
import type { ReduceFunctions } from './reduce.js';

const available = await startCuda();

/** Axis patterns (axis, keepDims) per shape: rows, columns, both around a kept axis, negative, all. */
const PATTERNS: [number[], (number | number[] | undefined)[]][] = [
  [
    [3, 5, 7],
    [0, 1, 2, [0, 2], -1, [-1, 0], [1, 2], [0, 1], undefined],
  ],
  [
    [2, 1, 300],
    [2, [0, 2], 1, [1, 2], -3, undefined],
  ],
  [[1000], [0, undefined]],
  [
    [4, 3, 5, 2, 6],
    [
      [1, 3],
      [0, 2, 4],
      [4, 1],
    ],
  ],
];

/** Every pattern, with and without keepDims, as one build: all outputs are compared. */
function everyPattern(
  seed: number,
  reduce: (x: tf.Tensor, axis: number | number[] | undefined, keepDims: boolean) => tf.Tensor,
  low = -1,
  high = 1,
) {
  return () =>
    PATTERNS.flatMap(([shape, axes], i) => {
      const x = seededTensor(seed + i, shape, low, high);
      return axes.flatMap((axis, j) => [reduce(x, axis, j % 2 === 0), reduce(x, axis, j % 2 === 1)]);
    });
}

const int32 = (seed: number, shape: number[], low: number, high: number) =>
  tf.tensor(
    Int32Array.from(
      seededValues(
        seed,
        shape.reduce((a, b) => a * b, 1),
        low,
        high,
      ),
      Math.floor,
    ),
    shape,
    'int32',
  );

const bool = (seed: number, shape: number[], chance = 0.5) =>
  tf.tensor(
    Uint8Array.from(
      seededValues(
        seed,
        shape.reduce((a, b) => a * b, 1),
        0,
        1,
      ),
      (v) => (v < chance ? 1 : 0),
    ),
    shape,
    'bool',
  );

describe.skipIf(!available)('cuda reductions and softmax (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('sums and means over rows, columns, interleaved axes, everything, with keepDims', async () => {
    await expectSameOnCuda(
      everyPattern(1, (x, axis, keepDims) => tf.sum(x, axis, keepDims)),
      {
        rtol: 1e-5,
        atol: 1e-5,
        gpuKernels: ['Sum'],
      },
    );
    await expectSameOnCuda(
      everyPattern(2, (x, axis, keepDims) => tf.mean(x, axis, keepDims)),
      {
        rtol: 1e-5,
        atol: 1e-6,
        gpuKernels: ['Mean'],
      },
    );
  });

  it('takes max, min and prod over the same patterns', async () => {
    await expectSameOnCuda(
      everyPattern(3, (x, axis, keepDims) => tf.max(x, axis, keepDims)),
      { gpuKernels: ['Max'] },
    );
    await expectSameOnCuda(
      everyPattern(4, (x, axis, keepDims) => tf.min(x, axis, keepDims)),
      { gpuKernels: ['Min'] },
    );
    // Factors near 1 keep products of up to 1000 of them finite.
    await expectSameOnCuda(
      everyPattern(5, (x, axis, keepDims) => tf.prod(x, axis, keepDims), 0.97, 1.03),
      {
        rtol: 1e-4,
        gpuKernels: ['Prod'],
      },
    );
  });

  it('keeps int32 sums int32 (wrapping like Int32Array), makes bool sums int32 and int32 means float32', async () => {
    await expectSameOnCuda(
      () => {
        const x = int32(6, [3, 5, 7], -50, 50);
        return [
          tf.sum(x),
          tf.sum(x, 1),
          tf.sum(x, [0, 2], true),
          tf.mean(x, 2),
          tf.mean(x),
          tf.prod(int32(7, [4, 6], -3, 4), 1),
        ];
      },
      { gpuKernels: ['Sum', 'Mean', 'Prod'] },
    );
    await expectSameOnCuda(
      () => {
        const big = tf.tensor([2147483647, 1, 5, 100000, 100000, 3], [2, 3], 'int32');
        return [tf.sum(big, 1), tf.prod(big, 1), tf.prod(big, 0), tf.max(big, 1), tf.min(big, 0)];
      },
      { gpuKernels: ['Sum', 'Prod', 'Max', 'Min'] },
    );
    await expectSameOnCuda(
      () => {
        const flags = bool(8, [4, 9]);
        // tf.sum casts bool to int32 first; the kernel also takes bool directly.
        const direct = (axis: number[]) =>
          tf.engine().runKernel(tf.Sum, { x: flags }, { axis, keepDims: false }) as tf.Tensor;
        return [tf.sum(flags), tf.sum(flags, 0), direct([1]), direct([0, 1]), tf.mean(flags, 1), tf.max(flags, 1)];
      },
      { gpuKernels: ['Sum', 'Mean', 'Max'] },
    );
  });

  it('propagates NaN through Max and Min, skips it in ArgMax/ArgMin except at index 0, as tfjs cpu', async () => {
    const nan = Number.NaN;
    const values = [1, nan, 3, 0, nan, 2, 1, 0, 4, 5, 6, 0, -1, -1, nan, nan];
    await expectSameOnCuda(
      () => {
        const x = tf.tensor(values, [4, 4]);
        return [
          tf.max(x, 0),
          tf.max(x, 1),
          tf.min(x, 0),
          tf.min(x, 1),
          tf.max(x),
          tf.argMax(x, 0),
          tf.argMax(x, 1),
          tf.argMin(x, 0),
          tf.argMin(x, 1),
        ];
      },
      { gpuKernels: ['Max', 'Min', 'ArgMax', 'ArgMin'] },
    );
  });

  it('breaks ArgMax/ArgMin ties at the first index, on short and long rows and columns', async () => {
    await expectSameOnCuda(
      () => {
        const x = tf.tensor([1, 3, 3, 0, 2, 2, 2, 2, -1, 5, -1, 5, 0, 0, 7, 7], [4, 4]);
        const rounded = tf.round(seededTensor(9, [3, 5, 7], 0, 3)); // many ties
        const ints = int32(10, [6, 40], 0, 4);
        return [
          tf.argMax(x, 1),
          tf.argMin(x, 1),
          tf.argMax(x, 0),
          tf.argMin(x, -1),
          ...[0, 1, 2, -1].flatMap((axis) => [tf.argMax(rounded, axis), tf.argMin(rounded, axis)]),
          tf.argMax(ints, 1),
          tf.argMin(ints, 0),
          tf.argMax(tf.round(seededTensor(11, [2, 1, 300], 0, 4)), 2),
          tf.argMax(tf.tensor([-0, 0, -0]), 0),
        ];
      },
      { gpuKernels: ['ArgMax', 'ArgMin'] },
    );
  });

  it('splits long rows and columns into chunks and reduces the partials again', async () => {
    await expectSameOnCuda(
      () => {
        const rows = seededTensor(12, [2, 20000]);
        const columns = seededTensor(13, [3000, 40]);
        const tiesRows = tf.round(seededTensor(14, [2, 20000], 0, 20));
        const tiesColumns = tf.round(seededTensor(15, [3000, 40], 0, 20));
        return [
          tf.sum(rows, 1),
          tf.max(rows, 1),
          tf.mean(columns, 0),
          tf.min(columns, 0),
          tf.argMax(tiesRows, 1),
          tf.argMin(tiesRows, 1),
          tf.argMax(tiesColumns, 0),
          tf.argMin(tiesColumns, 0),
          tf.sum(columns),
        ];
      },
      { rtol: 1e-4, atol: 1e-4, gpuKernels: ['Sum', 'Max', 'Mean', 'Min', 'ArgMax', 'ArgMin'] },
    );
  });

  it('reduces bool tensors with All and Any', async () => {
    await expectSameOnCuda(
      () => {
        const mostly = bool(16, [3, 5, 7], 0.9);
        const rarely = bool(17, [3, 5, 7], 0.1);
        return [undefined, 0, 1, [0, 2], -1].flatMap((axis) => [
          tf.all(mostly, axis),
          tf.any(rarely, axis, true),
          tf.all(rarely, axis, true),
          tf.any(mostly, axis),
        ]);
      },
      { gpuKernels: ['All', 'Any'] },
    );
  });

  it('gives what tfjs cpu gives for empty tensors', async () => {
    await expectSameOnCuda(() => {
      const empty = tf.zeros([0, 3]);
      const noColumns = tf.zeros([3, 0]);
      return [
        tf.sum(empty, 0),
        tf.sum(empty, 1),
        tf.mean(empty, 0),
        tf.max(empty, 0),
        tf.min(tf.zeros([3, 0], 'int32'), 1),
        tf.prod(empty, 0),
        tf.sum(empty),
        tf.argMax(noColumns, 1),
        tf.any(tf.zeros([2, 0], 'bool'), 1),
        tf.softmax(tf.zeros([0, 4])),
      ];
    });
    await expectSameOnCuda(() => {
      const x = tf.scalar(-2.5);
      return [
        tf.sum(x),
        tf.max(x),
        tf.mean(tf.scalar(3, 'int32')),
        tf.sum(tf.zeros([2, 3]), []),
        tf.argMax(tf.ones([4, 1]), 1),
      ];
    });
  });

  it('computes softmax over the last axis, numerically stable, for short and long rows', async () => {
    await expectSameOnCuda(
      () => [
        tf.softmax(seededTensor(18, [4, 10], -5, 5)),
        tf.softmax(seededTensor(19, [3, 1000], -5, 5)),
        tf.softmax(seededTensor(20, [2, 3, 5], -5, 5), -1),
        tf.softmax(seededTensor(21, [5, 3], 1000, 1010)),
        tf.softmax(seededTensor(22, [7])),
        tf.softmax(tf.tensor([0, Number.NEGATIVE_INFINITY, 1, 2, Number.NEGATIVE_INFINITY, 3], [2, 3])),
        tf.softmax(tf.tensor([1, Number.NaN, 2, 3], [2, 2])),
      ],
      { rtol: 1e-5, atol: 1e-6, gpuKernels: ['Softmax'] },
    );
  });

  it('sums the bias gradient of an NHWC tensor over [0, 1, 2]', async () => {
    await expectSameOnCuda(() => tf.sum(seededTensor(23, [2, 5, 5, 8]), [0, 1, 2]), {
      rtol: 1e-5,
      atol: 1e-5,
      gpuKernels: ['Sum'],
    });
    await expectSameOnCuda(
      () => {
        const x = seededTensor(24, [2, 5, 5, 8]);
        const w = seededTensor(25, [2, 5, 5, 8]);
        const bias = seededTensor(26, [8]);
        return tf.grad((b: tf.Tensor) => tf.sum(tf.mul(tf.add(x, b), w)))(bias);
      },
      { rtol: 1e-5, atol: 1e-5, gpuKernels: ['Sum'] },
    );
  });

  it('differentiates softmax cross-entropy through tf.grad', async () => {
    const labels = () => tf.oneHot(tf.tensor1d([2, 0, 4, 1, 3, 2], 'int32'), 5);
    await expectSameOnCuda(
      () => {
        const y = labels();
        return tf.grad((logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, logits))(
          seededTensor(27, [6, 5], -3, 3),
        );
      },
      { rtol: 1e-4, atol: 1e-6, gpuKernels: ['Max', 'Sum'] },
    );
    await expectSameOnCuda(
      () => {
        const y = labels();
        const loss = (logits: tf.Tensor) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.softmax(logits))), -1)));
        return tf.grads((logits: tf.Tensor) => loss(logits))([seededTensor(28, [6, 5], -3, 3)]);
      },
      { rtol: 1e-4, atol: 1e-6, gpuKernels: ['Softmax', 'Sum', 'Mean'] },
    );
  });

  it('rejects a bad axis with a clear message', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = backend.addon as unknown as ReduceFunctions;
    const x = tf.zeros([2, 3]);
    const out = tf.zeros([2]);
    const pointer = (t: tf.Tensor) => backend.pointer(t as unknown as tf.TensorInfo);
    expect(() => addon.reduce(0, 0, pointer(x), pointer(out), Int32Array.from([2, 3]), Int32Array.from([5]))).toThrow(
      /reduce \(sum\): axis 5 is outside \[0, 2\) for dims \[2, 3\]/,
    );
    expect(() =>
      addon.reduce(7, 0, pointer(x), pointer(out), Int32Array.from([2, 3]), Int32Array.from([0, 1])),
    ).toThrow(/argMax\) reduces exactly one axis/);
    expect(() => addon.reduce(0, 0, pointer(x), pointer(out), Int32Array.from([2, 0]), Int32Array.from([1]))).toThrow(
      /dimensions must be > 0/,
    );
    expect(() => addon.softmax(pointer(out), pointer(x), 1000, 1000)).toThrow(/out \(argument 0\) is too small/);
    tf.dispose([x, out]);
  });
});
