// What a CNN's training step asks of the wasm backend beyond convkit's own
// kernels: that every kernel exists, and that the stock ones this library
// relies on (LRN and its gradient for AlexNet, average pooling's gradient,
// batch norm) agree with tfjs-cpu.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { host, maxRelativeError, runOn } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { wasmKernels } from './index.js';

/** Kernels that the forward and backward passes of convkit's layer families run. */
const TRAINING_KERNELS = [
  'Conv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNative',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPool',
  'MaxPoolGrad',
  'AvgPool',
  'AvgPoolGrad',
  'LRN',
  'LRNGrad',
  'FusedBatchNorm',
  'BatchMatMul',
  'Relu',
  'Step',
  'Softmax',
  'Concat',
  'Slice',
  'Sum',
  'Mean',
  'Rsqrt',
  'Transpose',
];

describe('wasm kernels for training CNNs', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('lists each convkit kernel once, all for wasm', () => {
    const names = wasmKernels.map((k) => k.kernelName);
    expect(new Set(names).size).toBe(names.length);
    expect(wasmKernels.every((k) => k.backendName === 'wasm')).toBe(true);
  });

  it('has every kernel a training step runs', () => {
    const missing = TRAINING_KERNELS.filter((name) => !tf.getKernel(name, 'wasm'));
    expect(missing).toEqual([]);
  });

  it('runs the stock LRN, LRNGrad, AvgPool(Grad), FusedBatchNorm and Softmax like tfjs-cpu', async () => {
    const x = host([2, 7, 7, 8], 1);
    const lrn = [
      { depthRadius: 2, bias: 1, alpha: 1e-4, beta: 0.75 }, // AlexNet
      { depthRadius: 5, bias: 2, alpha: 0.5, beta: 0.75 },
    ];
    const variance = { values: host([8], 4).values.map(Math.abs), shape: [8] };
    const cases: [string, Record<string, { values: Float32Array; shape: number[] }>, object][] = [
      ...lrn.map((attrs): [string, { x: typeof x }, object] => ['LRN', { x }, attrs]),
      ['AvgPool', { x }, { filterSize: 3, strides: 2, pad: 'same' }],
      ['AvgPoolGrad', { dy: host([2, 4, 4, 8], 2), input: x }, { filterSize: 3, strides: 2, pad: 'same' }],
      ['AvgPoolGrad', { dy: host([2, 3, 3, 8], 2), input: x }, { filterSize: 3, strides: 2, pad: 'valid' }],
      [
        'FusedBatchNorm',
        { x, mean: host([8], 3), variance, offset: host([8], 5), scale: host([8], 6) },
        { varianceEpsilon: 1e-3 },
      ],
      // Softmax takes a non-negative axis: the op normalizes -1 before the kernel runs.
      ['Softmax', { logits: host([4, 10], 7) }, { dim: 1 }],
    ];
    for (const attrs of lrn) {
      const y = await runOn('cpu', 'LRN', { x }, attrs);
      cases.push(['LRNGrad', { x, y, dy: host([2, 7, 7, 8], 9) }, attrs]);
    }
    for (const [name, inputs, attrs] of cases) {
      const cpu = await runOn('cpu', name, inputs, attrs);
      const wasm = await runOn('wasm', name, inputs, attrs);
      expect(maxRelativeError(wasm.values, cpu.values), `${name} ${JSON.stringify(attrs)}`).toBeLessThan(1e-5);
    }
  });

  it('differentiates batch norm, LRN and average pooling on wasm like on cpu', async () => {
    const x = host([2, 6, 6, 4], 11);
    const scale = host([4], 12);
    const grads = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const inputs = [tf.tensor(x.values, x.shape), tf.tensor(scale.values, scale.shape)];
      const outputs = tf.grads((a: tf.Tensor, s: tf.Tensor) => {
        const moments = tf.moments(a, [0, 1, 2]);
        // An offset tensor, not undefined: tfjs' tape cannot walk a missing batch-norm input.
        const normed = tf.batchNorm(a, moments.mean, moments.variance, tf.zeros([4]), s, 1e-3);
        const pooled = tf.avgPool(tf.localResponseNormalization(normed as tf.Tensor4D, 2, 1, 1e-2, 0.75), 2, 2, 'same');
        return pooled.square().sum();
      })(inputs);
      const values = await Promise.all(outputs.map((t) => t.data()));
      tf.dispose([...inputs, ...outputs]);
      expect(tf.memory().numTensors).toBe(before);
      return values;
    };
    const cpu = await grads('cpu');
    const wasm = await grads('wasm');
    for (const k of [0, 1]) expect(maxRelativeError(wasm[k] ?? [], cpu[k] ?? [])).toBeLessThan(1e-4);
  });
});
