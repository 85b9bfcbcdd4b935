import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededTensor, seededValues, startCuda } from '../../test/harness.js';
import { expectSameWithInfinities as expectSameOnCuda, SPECIAL } from '../../test/special-values.js';
import type { CudaBackend } from '../backend.js';
import { cudaKernelCalls } from '../register.js';
import type { ElementwiseFunctions } from './elementwise.js';
import { gpu } from './kernel.js';

const available = await startCuda();

function specialTensor(): tf.Tensor {
  return tf.tensor([...SPECIAL, ...seededValues(7, 97, -8, 8)]);
}

/** Every pair of `values`, as two same-shape tensors. */
function pairs(values: number[], dtype: 'float32' | 'int32'): [tf.Tensor, tf.Tensor] {
  const a = values.flatMap((v) => values.map(() => v));
  const b = values.flatMap(() => values);
  return [tf.tensor(a, [a.length], dtype), tf.tensor(b, [b.length], dtype)];
}

const binaryFns: Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  Add: tf.add,
  Sub: tf.sub,
  Multiply: tf.mul,
  RealDiv: (a, b) => tf.engine().runKernel('RealDiv', { a, b }) as tf.Tensor,
  Maximum: tf.maximum,
  Minimum: tf.minimum,
  Pow: tf.pow,
  SquaredDifference: tf.squaredDifference,
  FloorDiv: tf.floorDiv,
  Mod: tf.mod,
  Equal: tf.equal,
  NotEqual: tf.notEqual,
  Greater: tf.greater,
  GreaterEqual: tf.greaterEqual,
  Less: tf.less,
  LessEqual: tf.lessEqual,
};
const ARITHMETIC = ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Minimum', 'SquaredDifference', 'Pow', 'Mod'];

describe.skipIf(!available)('cuda element-wise kernels (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('runs every float32 unary op like tfjs, NaN and ±Infinity included', async () => {
    const x = specialTensor();
    const ops: [string, (t: tf.Tensor) => tf.Tensor, number?][] = [
      ['Abs', tf.abs],
      ['Neg', tf.neg],
      ['Exp', tf.exp, 2e-6],
      ['Log', tf.log, 2e-6],
      ['Log1p', tf.log1p, 2e-6],
      ['Sqrt', tf.sqrt],
      ['Rsqrt', tf.rsqrt, 2e-6],
      ['Square', tf.square],
      ['Reciprocal', tf.reciprocal],
      ['Relu', tf.relu],
      ['Relu6', tf.relu6],
      ['Elu', tf.elu, 2e-6],
      ['Selu', tf.selu, 2e-6],
      ['Sigmoid', tf.sigmoid, 2e-6],
      ['Tanh', tf.tanh, 2e-6],
      ['Softplus', tf.softplus, 2e-6],
      ['Floor', tf.floor],
      ['Ceil', tf.ceil],
      ['Round', tf.round],
      ['Sign', tf.sign],
      ['Sin', tf.sin, 2e-6],
      ['Cos', tf.cos, 2e-6],
      ['Step', (t) => tf.step(t, 0.25)],
      ['LeakyRelu', (t) => tf.leakyRelu(t, 0.1)],
      ['ClipByValue', (t) => tf.clipByValue(t, -2.5, 0.3)],
      ['IsNan', tf.isNaN],
    ];
    for (const [name, fn, rtol] of ops) {
      await expectSameOnCuda(() => fn(x), { gpuKernels: [name], rtol: rtol ?? 1e-6, atol: 1e-7 });
    }
    await expectSameOnCuda(
      () => [
        tf.logicalNot(tf.tensor([true, false, true, true, false])),
        tf.engine().runKernel('LogicalNot', { x }) as tf.Tensor,
      ],
      {
        gpuKernels: ['LogicalNot'],
      },
    );
    // Rounds half to even; a 4-aligned length takes the vector loop only.
    await expectSameOnCuda(() => tf.round(tf.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 1e8])), {
      gpuKernels: ['Round'],
    });
    await expectSameOnCuda(() => [tf.relu(tf.zeros([0, 3])), tf.exp(tf.scalar(1))]);
    x.dispose();
  });

  it('runs unary ops on int32 with tfjs dtypes (int32 out, float32 for Exp and LeakyRelu)', async () => {
    const x = tf.tensor([-7, -1, 0, 1, 3, 6, 7, 46340, -46340, 16777217, 2147483647, -2147483647], undefined, 'int32');
    const ops: [string, (t: tf.Tensor) => tf.Tensor][] = [
      ['Abs', tf.abs],
      ['Neg', tf.neg],
      ['Relu', tf.relu],
      ['Relu6', tf.relu6],
      ['Sign', tf.sign],
      ['Exp', tf.exp],
      ['LeakyRelu', (t) => tf.leakyRelu(t, 0.3)],
      ['ClipByValue', (t) => tf.clipByValue(t, -2.5, 4.5)],
      ['Step', (t) => tf.step(t, -0.5)],
      ['Reciprocal', tf.reciprocal],
      ['IsNan', tf.isNaN],
      // tf.sqrt and tf.logicalNot refuse int32; the kernels take it (as tfjs' cpu kernels do).
      ['Sqrt', (t) => tf.engine().runKernel('Sqrt', { x: t }) as tf.Tensor],
      ['LogicalNot', (t) => tf.engine().runKernel('LogicalNot', { x: t }) as tf.Tensor],
    ];
    for (const [name, fn] of ops) await expectSameOnCuda(() => fn(x), { gpuKernels: [name] });
    // Abs and Square fill a Float32Array on the cpu: rounded to float32, then wrapped into int32.
    await expectSameOnCuda(() => tf.square(tf.tensor([-46340, -4097, -3, 0, 5, 4097, 46341], undefined, 'int32')), {
      gpuKernels: ['Square'],
    });
    x.dispose();
  });

  it('broadcasts binary ops: same shape, [2,1,3]+[4,1], scalars, bias add, rows, rank 5, empty', async () => {
    const shapes: [number[], number[]][] = [
      [
        [3, 5],
        [3, 5],
      ],
      [
        [2, 1, 3],
        [4, 1],
      ],
      [[7], []],
      [[], [2, 3]],
      [[6, 10], [10]],
      [
        [6, 1],
        [6, 10],
      ],
      [
        [2, 1, 3, 1, 2],
        [3, 4, 1],
      ],
      [
        [2, 3, 4],
        [2, 1, 4],
      ],
      [
        [0, 3],
        [1, 3],
      ],
    ];
    let seed = 100;
    for (const [aShape, bShape] of shapes) {
      for (const name of ['Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Greater']) {
        const fn = binaryFns[name] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
        const s = seed++;
        await expectSameOnCuda(() => fn(seededTensor(s, aShape, -2, 2), seededTensor(s + 1000, bShape, 0.5, 2)), {
          gpuKernels: [name],
        });
      }
    }
    // int32 and bool through the strided path.
    await expectSameOnCuda(
      () => [
        tf.add(tf.tensor([1, 2, 3], [3, 1], 'int32'), tf.tensor([10, 20], [1, 2], 'int32')),
        tf.equal(tf.tensor([true, false], [2, 1]), tf.tensor([true, false, true], [1, 3])),
        tf.logicalOr(tf.tensor([true, false], [2, 1]), tf.tensor([false, false, true], [3])),
      ],
      { gpuKernels: ['Add', 'Equal', 'LogicalOr'] },
    );
  });

  it('runs every float32 binary op on every pair of special values', async () => {
    const [a, b] = pairs(
      [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, -1, 2.5, -2.5, 3, -7, 0.5, 1e-30],
      'float32',
    );
    for (const [name, fn] of Object.entries(binaryFns)) {
      await expectSameOnCuda(() => fn(a, b), { gpuKernels: [name] });
    }
    // Mod's sign fix-up in float64: tiny remainders near the divisor.
    await expectSameOnCuda(
      () => tf.mod(tf.tensor([-1e-10, 1e-10, -5.5, 5.5, -7, 7]), tf.tensor([1, -1, 2, -2, 7, -7])),
      {
        gpuKernels: ['Mod'],
      },
    );
    await expectSameOnCuda(
      () => [
        tf.logicalAnd(tf.tensor([true, true, false, false]), tf.tensor([true, false, true, false])),
        tf.logicalOr(tf.tensor([true, true, false, false]), tf.tensor([true, false, true, false])),
      ],
      { gpuKernels: ['LogicalAnd', 'LogicalOr'] },
    );
    tf.dispose([a, b]);
  });

  it('runs int32 binary ops with tfjs sign rules for division and mod, wrapping like an Int32Array', async () => {
    const [a, b] = pairs([-7, 7, -3, 3, 0, 1, -1, 2, 5, 2147483647, -2147483648, 65536], 'int32');
    for (const name of [...ARITHMETIC.filter((n) => n !== 'Pow'), 'FloorDiv', 'Equal', 'Less', 'GreaterEqual']) {
      const fn = binaryFns[name] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
      await expectSameOnCuda(() => fn(a, b), { gpuKernels: [name] });
    }
    // tf.div of int32 is FloorDiv.
    await expectSameOnCuda(() => tf.div(a, b), { gpuKernels: ['FloorDiv'] });
    const [base, exponent] = pairs([-3, -2, -1, 0, 1, 2, 3, 5, -4], 'int32');
    await expectSameOnCuda(() => tf.pow(base, exponent), { gpuKernels: ['Pow'] });
    tf.dispose([a, b, base, exponent]);
  });

  it('declines what the device does not hold: no GPU run for arithmetic on bool', async () => {
    const before = cudaKernelCalls().Add?.cpu ?? 0;
    const sum = tf.engine().runKernel('Add', { a: tf.tensor([true]), b: tf.tensor([true]) }) as tf.Tensor;
    expect(sum.dtype).toBe('bool');
    expect(cudaKernelCalls().Add?.cpu).toBe(before + 1);
    sum.dispose();
  });

  it('rejects bad arguments in the binding with clear messages', () => {
    const backend = tf.backend() as unknown as CudaBackend;
    const addon = gpu<ElementwiseFunctions>(backend);
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4]);
    const out = tf.zeros([2, 4]);
    const [pa, pb, po] = [a, b, out].map((t) => backend.pointer(t as unknown as tf.TensorInfo)) as [
      number,
      number,
      number,
    ];
    expect(() => addon.binary(0, po, pa, Int32Array.from([2, 3]), pb, Int32Array.from([4]), 0)).toThrow(
      /shapes \[2,3\] and \[4\] do not broadcast/,
    );
    expect(() => addon.unary(99, po, pa, 6, 0, 0, 0)).toThrow(
      /unary op must be a whole number in \[0, 27\), received 99/,
    );
    expect(() => addon.unary(0, po, pa, 6, 2, 0, 0)).toThrow(/does not take bool input/);
    expect(() => addon.binary(0, po, pa, Int32Array.from([2, 3]), pb, Int32Array.from([100, 1, 3]), 0)).toThrow(
      /out \(argument 1\) is too small: needs 600 elements/,
    );
    expect(() => addon.select(po, pa, pa, pb, 6, 4)).toThrow(/count 6 is not a multiple of rowSize 4/);
    tf.dispose([a, b, out]);
  });
});
