import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seededTensor, seededValues, startCuda } from '../../test/harness.js';
import { expectSameWithInfinities as expectSameOnCuda, SPECIAL } from '../../test/special-values.js';

// Element-wise kernels as the layers use them: activations and their
// gradients, selection, sums of many tensors and one-hot rows.

const available = await startCuda();

describe.skipIf(!available)('cuda element-wise kernels in activations, select, AddN and one-hot (vs tfjs cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cuda');
  });

  it('runs Prelu with a broadcast alpha, EluGrad, and activation gradients through tf.grad', async () => {
    await expectSameOnCuda(
      () => [
        tf.prelu(seededTensor(1, [2, 3, 5]), seededTensor(2, [5], 0, 0.5)),
        tf.prelu(seededTensor(3, [2, 3, 5]), seededTensor(4, [3, 1], 0, 0.5)),
      ],
      { gpuKernels: ['Prelu'] },
    );
    const x = tf.tensor([...SPECIAL.slice(3), ...seededValues(8, 41, -3, 3)]);
    const dy = seededTensor(9, x.shape, -1, 1);
    await expectSameOnCuda(() => tf.grad((t) => tf.elu(t))(x, dy), { gpuKernels: ['EluGrad'], rtol: 2e-6 });
    const activations: [string, (t: tf.Tensor) => tf.Tensor, string[]][] = [
      ['relu', tf.relu, ['Step', 'Multiply']],
      ['relu6', tf.relu6, ['LessEqual', 'Step', 'Multiply']],
      ['sigmoid', tf.sigmoid, ['Sigmoid', 'Sub', 'Multiply']],
      ['tanh', tf.tanh, ['Tanh', 'Square', 'Sub', 'Multiply']],
      ['selu', tf.selu, ['Select', 'Greater']],
      ['leakyRelu', (t) => tf.leakyRelu(t, 0.2), ['Greater', 'Select']],
      ['softplus', tf.softplus, ['Softplus', 'Sigmoid']],
      ['clipByValue', (t) => tf.clipByValue(t, -0.5, 0.5), ['GreaterEqual', 'LogicalAnd', 'Select']],
      ['sqrt of abs', (t) => tf.sqrt(tf.abs(t)), ['Sqrt', 'Abs', 'RealDiv', 'Step']],
    ];
    for (const [, fn, kernels] of activations) {
      await expectSameOnCuda(() => tf.grad(fn)(x, dy), { gpuKernels: kernels, rtol: 2e-6, atol: 1e-6 });
    }
    const alpha = seededTensor(10, [x.shape[0] as number], 0, 0.5);
    await expectSameOnCuda(() => tf.grads((t: tf.Tensor, a: tf.Tensor) => tf.prelu(t, a))([x, alpha], dy), {
      gpuKernels: ['Greater', 'Select', 'Multiply'],
    });
    tf.dispose([x, dy, alpha]);
  });

  it('selects like tf.where, and whole rows for a rank-1 condition', async () => {
    await expectSameOnCuda(
      () => [
        tf.where(tf.tensor([true, false, true], [3, 1], 'bool'), seededTensor(1, [3, 4]), seededTensor(2, [4])),
        tf.where(
          tf.tensor([false, true, true, false]),
          tf.tensor([1, 2, 3, 4], [4], 'int32'),
          tf.tensor([5, 6, 7, 8], [4], 'int32'),
        ),
      ],
      { gpuKernels: ['Select'] },
    );
    const rows = tf.engine().runKernel('Select', {
      condition: tf.tensor([true, false, true], [3], 'bool'),
      t: tf.tensor([1, 2, 3, 4, 5, 6], [3, 2]),
      e: tf.tensor([-1, -2, -3, -4, -5, -6], [3, 2]),
    }) as tf.Tensor;
    expect(Array.from(await rows.data())).toEqual([1, 2, -3, -4, 5, 6]);
    rows.dispose();
  });

  it('adds any number of tensors in order (AddN) and makes one-hot rows', async () => {
    await expectSameOnCuda(() => tf.addN([seededTensor(1, [3, 5]), seededTensor(2, [3, 5]), seededTensor(3, [3, 5])]), {
      gpuKernels: ['AddN'],
    });
    await expectSameOnCuda(() => tf.addN(Array.from({ length: 11 }, (_, i) => seededTensor(10 + i, [37], -100, 100))), {
      gpuKernels: ['AddN'],
    });
    await expectSameOnCuda(
      () =>
        tf.addN([
          tf.tensor([1, 2147483647], [2], 'int32'),
          tf.tensor([2, 1], [2], 'int32'),
          tf.tensor([3, 0], [2], 'int32'),
        ]),
      { gpuKernels: ['AddN'] },
    );
    const indices = tf.tensor(
      [
        [0, 4, -1],
        [2, 5, 3],
      ],
      [2, 3],
      'int32',
    );
    await expectSameOnCuda(() => [tf.oneHot(indices, 5), tf.oneHot(indices, 7, 2.5, -1, 'float32')], {
      gpuKernels: ['OneHot'],
    });
    await expectSameOnCuda(() => tf.oneHot(tf.tensor([1, 0, 2], [3], 'int32'), 3, 3.7, 0.2, 'int32'));
    indices.dispose();
  });
});
