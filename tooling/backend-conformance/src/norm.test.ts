import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, it } from 'vitest';
import {
  backendsUnderTest,
  expectClose,
  expectGradientMatchesNumeric,
  expectNoLeaks,
  expectSameAsCpu,
  fromOnnx,
  use,
} from './harness.js';
import { onnxCases } from './onnx-cases.js';
import { lrn } from './onnx-ops.js';

const backends = await backendsUnderTest();

// 2-D feature maps (NCHW → NHWC); the 1-D and 3-D BatchNorm cases are not CNN-layer inputs here.
const inference = onnxCases(
  'BatchNormalization',
  (c) => c.node.attrs.training_mode !== 1 && c.inputs[0]?.dims.length === 4,
);
const training = onnxCases('BatchNormalization', (c) => c.node.attrs.training_mode === 1);

/** NHWC channel vector of an ONNX per-channel input. */
const channel = (t: Parameters<typeof fromOnnx>[0] | undefined) =>
  fromOnnx(t as Parameters<typeof fromOnnx>[0]) as tf.Tensor1D;

describe.each(backends)('normalization on %s', (name) => {
  beforeEach(() => use(name));

  it.each(onnxCases('LRN'))('ONNX %s (forward)', async (_, c) => {
    await expectNoLeaks(async () => {
      const x = fromOnnx(c.inputs[0] as NonNullable<(typeof c.inputs)[0]>) as tf.Tensor4D;
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>);
      const y = lrn(x, c.node.attrs);
      await expectClose(y, expected);
      tf.dispose([x, expected, y]);
    });
  });

  it('LRN gradients match finite differences (AlexNet: size 5, k 2, α 1e-4, β 0.75)', async () => {
    await expectNoLeaks(async () => {
      const x = tf.randomNormal([2, 3, 3, 7], 0, 3, 'float32', 31);
      await expectGradientMatchesNumeric(
        (xi) => tf.localResponseNormalization(xi as tf.Tensor4D, 2, 2, 1e-4 / 5, 0.75),
        x,
        { eps: 5e-2 },
      );
      await expectGradientMatchesNumeric((xi) => tf.localResponseNormalization(xi as tf.Tensor4D, 1, 1, 0.5, 0.75), x, {
        eps: 1e-2,
      });
      x.dispose();
    });
  });

  it.each(inference)('ONNX %s (inference)', async (_, c) => {
    await expectNoLeaks(async () => {
      const [xo, scale, bias, mean, variance] = c.inputs;
      const x = fromOnnx(xo as NonNullable<typeof xo>);
      const tensors = [x, channel(scale), channel(bias), channel(mean), channel(variance)];
      const [, s, b, m, v] = tensors as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      const y = tf.batchNorm(x, m, v, b, s, Number(c.node.attrs.epsilon ?? 1e-5));
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>);
      await expectClose(y, expected);
      tf.dispose([...tensors, y, expected]);
    });
  });

  it.each(training)('ONNX %s (training: batch statistics, population variance)', async (_, c) => {
    await expectNoLeaks(async () => {
      const [xo, scale, bias] = c.inputs;
      const x = fromOnnx(xo as NonNullable<typeof xo>) as tf.Tensor4D;
      const s = channel(scale);
      const b = channel(bias);
      const { mean, variance } = tf.moments(x, [0, 1, 2]);
      const y = tf.batchNorm(x, mean, variance, b, s, Number(c.node.attrs.epsilon ?? 1e-5));
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>);
      await expectClose(y, expected);
      tf.dispose([x, s, b, mean, variance, y, expected]);
    });
  });

  it('batch norm gradients (through the batch statistics) match finite differences', async () => {
    await expectNoLeaks(async () => {
      const x = tf.randomNormal([3, 2, 2, 3], 0, 1, 'float32', 41);
      const gamma = tf.tensor1d([0.5, 1.5, -1]);
      const beta = tf.tensor1d([0.1, -0.2, 0.3]);
      const train = (xi: tf.Tensor, g: tf.Tensor, bt: tf.Tensor) =>
        tf.tidy(() => {
          const { mean, variance } = tf.moments(xi, [0, 1, 2]);
          return tf.batchNorm(xi, mean, variance, bt as tf.Tensor1D, g as tf.Tensor1D, 1e-3);
        });
      await expectGradientMatchesNumeric((xi) => train(xi, gamma, beta), x);
      await expectGradientMatchesNumeric((g) => train(x, g, beta), gamma);
      await expectGradientMatchesNumeric((bt) => train(x, gamma, bt), beta);
      tf.dispose([x, gamma, beta]);
    });
  });

  it('agrees with cpu on LRN and batch-norm gradients at conv-layer size', async () => {
    await expectSameAsCpu([{ shape: [2, 13, 13, 32], seed: 51, scale: 2 }], (x) => [
      tf.grad((xi: tf.Tensor) => tf.sum(tf.square(tf.localResponseNormalization(xi as tf.Tensor4D, 2, 2, 2e-5, 0.75))))(
        x as tf.Tensor,
      ),
      tf.grad((xi: tf.Tensor) => {
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        const shift = tf.fill([32], 0.1) as tf.Tensor1D;
        const scale = tf.fill([32], 1.5) as tf.Tensor1D;
        return tf.sum(tf.square(tf.batchNorm(xi, mean, variance, shift, scale, 1e-3)));
      })(x as tf.Tensor),
    ]);
  });
});
