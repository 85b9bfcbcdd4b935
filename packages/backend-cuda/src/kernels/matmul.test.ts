import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSameOnCuda, seededTensor, startCuda } from '../../test/harness.js';
import type { CudaBackend } from '../backend.js';
import { cudaKernelCalls } from '../register.js';
import { gpu } from './kernel.js';
import { forceGemmPlan, type MatmulFunctions } from './matmul.js';

const available = await startCuda();

const close = { rtol: 1e-4, atol: 1e-5 };
const TRANSPOSES = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

/** a (m×k) and b (k×n) stored as the transposes say. */
function operands(batch: number[], m: number, k: number, n: number, transposeA: boolean, transposeB: boolean) {
  return [
    seededTensor(m * 31 + k, [...batch, ...(transposeA ? [k, m] : [m, k])]),
    seededTensor(n * 17 + k, [...batch, ...(transposeB ? [n, k] : [k, n])]),
  ] as const;
}

describe.skipIf(!available)('cuda matmul (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });
  afterEach(() => forceGemmPlan());

  it('multiplies [1,1]x[1,1] and [3,5]x[5,7]', async () => {
    await expectSameOnCuda(() => tf.matMul(tf.tensor2d([[3]]), tf.tensor2d([[-2]])), { gpuKernels: ['BatchMatMul'] });
    await expectSameOnCuda(() => tf.matMul(seededTensor(1, [3, 5]), seededTensor(2, [5, 7])), {
      ...close,
      gpuKernels: ['BatchMatMul'],
    });
    await expectSameOnCuda(() => tf.matMul(seededTensor(3, [1, 1, 1]), seededTensor(4, [1, 1, 1])));
  });

  it('takes every transpose combination of [2,67,33]x[2,33,129] (sizes off every tile)', async () => {
    for (const [transposeA, transposeB] of TRANSPOSES) {
      await expectSameOnCuda(
        () => {
          const [a, b] = operands([2], 67, 33, 129, transposeA, transposeB);
          return tf.matMul(a, b, transposeA, transposeB);
        },
        { ...close, gpuKernels: ['BatchMatMul'] },
      );
    }
  });

  it('gives the same products with every tile kind, vector and scalar loads, and K split', async () => {
    // [2,36,40]x[2,40,68]: float4 loads on every operand; [2,67,33]x[2,33,129]: scalar edges.
    for (const [m, k, n] of [
      [36, 40, 68],
      [67, 33, 129],
    ] as const) {
      for (const [tile, splits] of [
        [0, 1],
        [1, 1],
        [2, 1],
        [0, 3],
        [1, 2],
        [2, 4],
      ] as const) {
        forceGemmPlan(tile, splits);
        for (const [transposeA, transposeB] of TRANSPOSES) {
          await expectSameOnCuda(
            () => {
              const [a, b] = operands([2], m, k, n, transposeA, transposeB);
              return tf.matMul(a, b, transposeA, transposeB);
            },
            { ...close, gpuKernels: ['BatchMatMul'] },
          );
        }
      }
    }
  });

  it('covers grids of several tile groups (8 tile rows × every tile column, then the rest)', async () => {
    forceGemmPlan(1, 1); // 64×64 tiles: 10 tile rows × 3 tile columns
    await expectSameOnCuda(() => tf.matMul(seededTensor(29, [600, 9]), seededTensor(30, [9, 150])), {
      ...close,
      gpuKernels: ['BatchMatMul'],
    });
  });

  it('broadcasts a single matrix over the other batch, as tfjs does', async () => {
    await expectSameOnCuda(() => tf.matMul(seededTensor(5, [1, 4, 5]), seededTensor(6, [3, 5, 6])), {
      ...close,
      gpuKernels: ['BatchMatMul'],
    });
    await expectSameOnCuda(() => tf.matMul(seededTensor(7, [2, 3, 4, 5]), seededTensor(8, [5, 6])), {
      ...close,
      gpuKernels: ['BatchMatMul'],
    });
    await expectSameOnCuda(() => tf.matMul(seededTensor(9, [2, 3, 4, 5]), seededTensor(10, [3, 5, 2]), false, false), {
      ...close,
      gpuKernels: ['BatchMatMul'],
    });
    // [2,1] against [3]: the cpu kernel's own (modulo) broadcast, declined here.
    const before = cudaKernelCalls().BatchMatMul?.cpu ?? 0;
    await expectSameOnCuda(() => tf.matMul(seededTensor(11, [2, 1, 2, 3]), seededTensor(12, [3, 3, 2])), close);
    expect(cudaKernelCalls().BatchMatMul?.cpu).toBe(before + 1);
  });

  it('fuses a bias and each activation into the epilogue', async () => {
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      await expectSameOnCuda(
        () =>
          tf.fused.matMul({
            a: seededTensor(13, [2, 19, 21], -3, 3),
            b: seededTensor(14, [2, 21, 37], -3, 3),
            bias: seededTensor(15, [37], -3, 3),
            activation,
            leakyreluAlpha: 0.3,
          }),
        { ...close, gpuKernels: ['_FusedMatMul'] },
      );
    }
    await expectSameOnCuda(
      () =>
        tf.fused.matMul({
          a: seededTensor(16, [5, 8]),
          b: seededTensor(17, [12, 8]),
          transposeB: true,
          bias: tf.scalar(0.25),
          activation: 'relu',
        }),
      { ...close, gpuKernels: ['_FusedMatMul'] },
    );
    // NaN passes through relu and relu6 as in tfjs (Math.max(0, NaN) is NaN).
    for (const activation of ['relu', 'relu6'] as const) {
      await expectSameOnCuda(
        () =>
          tf.fused.matMul({
            a: tf.tensor2d([Number.NaN, 1, -2, 1, 3, 8], [3, 2]),
            b: tf.tensor2d([1, 1], [2, 1]),
            activation,
          }),
        { gpuKernels: ['_FusedMatMul'] },
      );
    }
    forceGemmPlan(1, 2); // K split: the epilogue runs as its own pass
    await expectSameOnCuda(
      () =>
        tf.fused.matMul({
          a: seededTensor(18, [40, 24]),
          b: seededTensor(19, [40, 20]),
          transposeA: true,
          bias: seededTensor(20, [1, 20]),
          activation: 'leakyrelu',
          leakyreluAlpha: 0.1,
        }),
      { ...close, gpuKernels: ['_FusedMatMul'] },
    );
  });

  it('declines prelu, and int32 operands', async () => {
    const before = cudaKernelCalls()._FusedMatMul?.cpu ?? 0;
    await expectSameOnCuda(
      () =>
        tf.fused.matMul({
          a: seededTensor(21, [3, 4]),
          b: seededTensor(22, [4, 5]),
          activation: 'prelu',
          preluActivationWeights: seededTensor(23, [5]),
        }),
      close,
    );
    expect(cudaKernelCalls()._FusedMatMul?.cpu).toBe(before + 1);
    await expectSameOnCuda(() =>
      tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32')),
    );
  });

  it('handles empty products: no rows, and K = 0 (zeros, or the activated bias)', async () => {
    await expectSameOnCuda(() => tf.matMul(tf.zeros([0, 5]), seededTensor(24, [5, 3])), {
      gpuKernels: ['BatchMatMul'],
    });
    await expectSameOnCuda(() => tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])), { gpuKernels: ['BatchMatMul'] });
    await expectSameOnCuda(
      () =>
        tf.fused.matMul({ a: tf.zeros([3, 0]), b: tf.zeros([0, 4]), bias: seededTensor(25, [4]), activation: 'elu' }),
      { ...close, gpuKernels: ['_FusedMatMul'] },
    );
  });

  it('computes the gradients of a dense layer (matmuls with transposes)', async () => {
    await expectSameOnCuda(
      () => {
        const x = seededTensor(26, [6, 45]);
        const w = seededTensor(27, [45, 10]);
        const dy = seededTensor(28, [6, 10]);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.matMul(a, b))([x, w], dy);
      },
      { ...close, gpuKernels: ['BatchMatMul'] },
    );
  });

  it('refuses bad arguments with a clear message', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = gpu<MatmulFunctions>(backend);
    const a = tf.zeros([100, 3]);
    const b = tf.zeros([3, 100]);
    const small = tf.zeros([2, 2]);
    const dims = Int32Array.from([1, 1, 1, 100, 100, 3, 0, 0]);
    const p = (t: tf.Tensor) => backend.pointer(t);
    expect(() => addon.batchMatMul(p(a), p(b), p(small), dims, null, 0, 0, 0)).toThrow(
      /out \(argument 2\) is too small: needs 10000 elements/,
    );
    expect(() =>
      addon.batchMatMul(p(a), p(b), p(small), Int32Array.from([1, 1, 1, -2, 4, 3, 0, 0]), null, 0, 0, 0),
    ).toThrow(/dims must be >= 0, received \[1, 1, 1, -2, 4, 3\]/);
    expect(() => addon.batchMatMul(p(a), p(b), p(small), dims, null, 0, 9, 0)).toThrow(/activation must be 0\.\.5/);
    expect(() =>
      addon.batchMatMul(p(a), p(b), p(small), Int32Array.from([3, 2, 1, 2, 4, 3, 0, 0]), null, 0, 0, 0),
    ).toThrow(/batch 3 must be the larger of batchA 2 and batchB 1/);
    tf.dispose([a, b, small]);
  });
});
