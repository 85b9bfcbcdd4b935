import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softmaxCrossEntropy, withAuxiliary } from './losses.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** −Σ t·log softmax(z), averaged over rows, in float64. */
function naive(logits: number[][], targets: number[][]): number {
  let total = 0;
  logits.forEach((z, i) => {
    const max = Math.max(...z);
    const log = Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
    total -= z.reduce((s, v, c) => s + ((targets[i] as number[])[c] as number) * (v - log), 0);
  });
  return total / logits.length;
}

describe('losses', () => {
  const logits = [
    [2, -1, 0.5],
    [0, 0, 0],
    [100, 90, -50],
  ];
  const labels = [
    [1, 0, 0],
    [0, 0, 1],
    [0, 1, 0],
  ];

  it('softmax cross-entropy: ln 2 for two equal logits; a naive float64 sum otherwise, stable at large logits', () => {
    expect(softmaxCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]])).dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    const got = softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor2d(labels)).dataSync()[0];
    expect(got).toBeCloseTo(naive(logits, labels), 4);
  });

  it('label smoothing targets (1 − ε)·y + ε/K', () => {
    const e = 0.1;
    const smoothed = labels.map((row) => row.map((y) => (1 - e) * y + e / 3));
    const got = softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor2d(labels), e).dataSync()[0];
    expect(got).toBeCloseTo(naive(logits, smoothed), 3);
  });

  it('auxiliary heads add 0.3 × their loss each', () => {
    const y = tf.tensor2d(labels);
    const main = tf.tensor2d(logits);
    const aux = [
      tf.tensor2d([
        [1, 2, 3],
        [3, 2, 1],
        [0, 1, 0],
      ]),
      tf.zeros([3, 3]),
    ];
    const expected =
      naive(logits, labels) +
      0.3 *
        naive(
          [
            [1, 2, 3],
            [3, 2, 1],
            [0, 1, 0],
          ],
          labels,
        ) +
      0.3 *
        naive(
          [
            [0, 0, 0],
            [0, 0, 0],
            [0, 0, 0],
          ],
          labels,
        );
    expect(withAuxiliary(main, aux, y).dataSync()[0]).toBeCloseTo(expected, 3);
  });

  it('rejects mismatched shapes and smoothing outside [0, 1)', () => {
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(/\[2, 3\] and labels \[2, 4\]/);
    expect(() => softmaxCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 3]), 1)).toThrow(/received 1/);
  });
});

/** d loss / d logits of the mean cross-entropy in float64: (softmax · Σt − t) / rows. */
function naiveGradient(logits: number[][], targets: number[][]): number[] {
  return logits.flatMap((z, i) => {
    const t = targets[i] as number[];
    const max = Math.max(...z);
    const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
    const mass = t.reduce((s, v) => s + v, 0);
    return z.map((v, c) => ((Math.exp(v - max) / sum) * mass - (t[c] as number)) / logits.length);
  });
}

describe('losses on a backend with the fused loss kernel (wasm)', () => {
  beforeAll(async () => {
    await initBackend('wasm', { threads: 1 });
  });
  afterAll(async () => {
    await initBackend('cpu');
  });
  const logits = [
    [2, -1, 0.5, 80],
    [0, 0, 0, 0],
    [100, 90, -50, 3],
  ];
  const labels = [
    [1, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 1, 0, 0],
  ];

  it("runs one kernel forward and one backward, with the formula's value and gradient (label smoothing too)", async () => {
    for (const e of [0, 0.1]) {
      const targets = labels.map((row) => row.map((y) => (1 - e) * y + e / 4));
      const z = tf.tensor2d(logits);
      const y = tf.tensor2d(labels);
      const kernels: string[] = [];
      const profile = await tf.profile(() => tf.valueAndGrad((zz: tf.Tensor) => softmaxCrossEntropy(zz, y, e))(z));
      for (const k of profile.kernels) kernels.push(k.name);
      expect(kernels).toContain('ConvkitSoftmaxCrossEntropy');
      expect(kernels).toContain('ConvkitSoftmaxCrossEntropyGrad');
      expect(kernels).not.toContain('Exp'); // tfjs' logSumExp chain did not run
      const { value, grad } = tf.valueAndGrad((zz: tf.Tensor) => softmaxCrossEntropy(zz, y, e))(z);
      expect((await value.data())[0]).toBeCloseTo(naive(logits, targets), 5);
      const want = naiveGradient(logits, targets);
      Array.from(await grad.data()).forEach((g, i) => {
        expect(g).toBeCloseTo(want[i] as number, 6);
      });
      tf.dispose([z, y, value, grad]);
    }
  });

  it('keeps the formula for int32 labels (the kernels take float32 only)', async () => {
    const got = softmaxCrossEntropy(tf.tensor2d(logits), tf.tensor2d(labels, undefined, 'int32'));
    expect((await got.data())[0]).toBeCloseTo(naive(logits, labels), 4);
  });
});
