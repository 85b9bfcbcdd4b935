import * as tf from '@tensorflow/tfjs-core';
import { beforeEach, describe, expect, it } from 'vitest';
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

const backends = await backendsUnderTest();

describe.each(backends)('dense layers and the loss on %s', (name) => {
  beforeEach(() => use(name));

  it.each(onnxCases('Gemm'))('ONNX %s: alpha·A′B′ + beta·C', async (_, c) => {
    await expectNoLeaks(async () => {
      const [a, b, bias] = c.inputs.map((t) => (t ? fromOnnx(t, 'flat') : undefined));
      const attrs = c.node.attrs;
      const expected = fromOnnx(c.outputs[0] as NonNullable<(typeof c.outputs)[0]>, 'flat');
      const y = tf.tidy(() => {
        const product = tf.mul(
          tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D, attrs.transA === 1, attrs.transB === 1),
          Number(attrs.alpha ?? 1),
        );
        return bias ? tf.add(product, tf.mul(bias, Number(attrs.beta ?? 1))) : product;
      });
      await expectClose(y, expected);
      tf.dispose([a, b, bias, expected, y].filter((t): t is tf.Tensor => t !== undefined));
    });
  });

  it('matMul gradients match finite differences (both operands, transposed too)', async () => {
    await expectNoLeaks(async () => {
      const a = tf.randomNormal([4, 5], 0, 1, 'float32', 91);
      const b = tf.randomNormal([6, 5], 0, 1, 'float32', 92);
      await expectGradientMatchesNumeric((ai) => tf.matMul(ai as tf.Tensor2D, b as tf.Tensor2D, false, true), a);
      await expectGradientMatchesNumeric((bi) => tf.matMul(a as tf.Tensor2D, bi as tf.Tensor2D, false, true), b);
      tf.dispose([a, b]);
    });
  });

  it('softmax cross-entropy equals −Σ y·log softmax(z) averaged over the batch, and its gradient (softmax(z) − y)/N', async () => {
    await expectNoLeaks(async () => {
      const logits = [
        [2, 1, 0.1],
        [0.5, 2.5, -1],
        [-3, 0, 3],
        [1, 1, 1],
      ];
      const labels = [0, 1, 2, 1];
      const z = tf.tensor2d(logits);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3));
      const loss = tf.losses.softmaxCrossEntropy(y, z);
      const grad = tf.grad((zi: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, zi))(z);
      // Oracle by hand, in float64.
      const softmax = logits.map((row) => {
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((p, q) => p + q, 0);
        return e.map((v) => v / s);
      });
      const expectedLoss = -softmax.reduce((acc, p, i) => acc + Math.log(p[labels[i] as number] as number), 0) / 4;
      const expectedGrad = softmax.flatMap((p, i) => p.map((v, k) => (v - (k === labels[i] ? 1 : 0)) / 4));
      expect((await loss.data())[0]).toBeCloseTo(expectedLoss, 5);
      await expectClose(grad, expectedGrad, 1e-4, 1e-6);
      tf.dispose([z, y, loss, grad]);
    });
  });

  it('agrees with cpu on a classifier head: dense → softmax cross-entropy gradients', async () => {
    await expectSameAsCpu(
      [
        { shape: [16, 400], seed: 101 },
        { shape: [400, 120], seed: 102, scale: 0.05 },
        { shape: [16, 120], seed: 103 },
      ],
      (x, w, t) =>
        tf.grads((xi: tf.Tensor, wi: tf.Tensor) =>
          tf.losses.softmaxCrossEntropy(tf.softmax(t as tf.Tensor), tf.matMul(xi as tf.Tensor2D, wi as tf.Tensor2D)),
        )([x as tf.Tensor, w as tf.Tensor]),
    );
  });
});
