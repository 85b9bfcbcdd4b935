import { namesThatStart } from '@convkit/vitest-config/started';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../init.js';
import {
  crossEntropyGradOfRows,
  crossEntropyOfRows,
  SOFTMAX_CROSS_ENTROPY,
  SOFTMAX_CROSS_ENTROPY_GRAD,
} from './softmax-cross-entropy.js';

/** The backends here that register the fused loss: wasm, and native where its addon is built. */
const fusing = ['wasm', ...(await namesThatStart(['native'], (name) => initBackend(name, { threads: 2 })))];
await initBackend('cpu');

afterAll(async () => {
  await initBackend('cpu');
});

/** Seeded logits with a spread that makes exp overflow without the max shift (±90), and one-hot or soft labels. */
function batch(rows: number, classes: number, soft: boolean, seed = 1) {
  return tf.tidy(() => {
    const logits = tf.randomUniform([rows, classes], -90, 90, 'float32', seed) as tf.Tensor2D;
    const picks = tf.randomUniform([rows], 0, classes, 'int32', seed + 1) as tf.Tensor1D;
    const oneHot = tf.cast(tf.oneHot(picks, classes), 'float32') as tf.Tensor2D;
    // Label smoothing's soft targets: (1 − ε)·y + ε / classes.
    const labels = soft ? (tf.add(tf.mul(oneHot, 0.9), 0.1 / classes) as tf.Tensor2D) : oneHot;
    return { logits, labels };
  });
}

/** tfjs' own loss and its gradient in the logits: the reference. */
function tfjsLossAndGrad(logits: tf.Tensor2D, labels: tf.Tensor2D) {
  return tf.valueAndGrad((l: tf.Tensor2D) => tf.losses.softmaxCrossEntropy(labels, l) as tf.Scalar)(logits);
}

/** Largest |a − b| / (1 + |b|). */
function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let most = 0;
  for (let i = 0; i < a.length; i++) {
    const want = b[i] as number;
    most = Math.max(most, Math.abs((a[i] as number) - want) / (1 + Math.abs(want)));
  }
  return most;
}

describe('the fused softmax cross-entropy math', () => {
  it('gives ln 2 and ±½ by hand for two equal logits', () => {
    expect(crossEntropyOfRows([0, 0], [1, 0], 1, 2)).toBeCloseTo(Math.LN2, 12);
    const grad = new Float32Array(2);
    crossEntropyGradOfRows([0, 0], [1, 0], 1, 1, 2, grad);
    expect(Array.from(grad)).toEqual([-0.5, 0.5]);
    // Labels that do not sum to 1 (a weighted target): loss 2·ln 2, gradient softmax·Σlabels − labels = [−1, 1].
    expect(crossEntropyOfRows([0, 0], [2, 0], 1, 2)).toBeCloseTo(2 * Math.LN2, 12);
    crossEntropyGradOfRows([0, 0], [2, 0], 1, 1, 2, grad);
    expect(Array.from(grad)).toEqual([-1, 1]);
  });

  it.each([
    ['one-hot', false],
    ['soft (label smoothing)', true],
  ])('equals tfjs on the cpu backend, %s labels, large logits', async (_, soft) => {
    const { logits, labels } = batch(64, 10, soft);
    const { value, grad } = tfjsLossAndGrad(logits, labels);
    const [x, y] = [await logits.data(), await labels.data()];
    expect(worstRelative([crossEntropyOfRows(x, y, 64, 10)], await value.data())).toBeLessThan(1e-6);
    const mine = new Float32Array(640);
    crossEntropyGradOfRows(x, y, 1, 64, 10, mine);
    expect(worstRelative(mine, await grad.data())).toBeLessThan(1e-6);
    tf.dispose([logits, labels, value, grad]);
  });

  it('is NaN where tfjs is: a −∞ logit, an all −∞ row, a NaN', async () => {
    expect(crossEntropyOfRows([Number.NEGATIVE_INFINITY, 0], [0, 1], 1, 2)).toBeNaN();
    expect(crossEntropyOfRows([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY], [0, 1], 1, 2)).toBeNaN();
    expect(crossEntropyOfRows([Number.NaN, 0], [0, 1], 1, 2)).toBeNaN();
    const loss = tf.losses.softmaxCrossEntropy(tf.tensor2d([[0, 1]]), tf.tensor2d([[Number.NEGATIVE_INFINITY, 0]]));
    expect((await loss.data())[0]).toBeNaN();
    loss.dispose();
  });
});

describe.each(fusing)('the fused kernels on %s', (name) => {
  it('give tfjs-cpu’s loss and gradients, through the tape, for logits and soft labels', async () => {
    await initBackend('cpu');
    const { logits, labels } = batch(33, 7, true, 5);
    const [x, y] = [await logits.data(), await labels.data()];
    const { value: wantValue, grad: wantLogits } = tfjsLossAndGrad(logits, labels);
    const want = await wantValue.data();
    // In the labels, d loss = −log softmax / batch (PyTorch's; tfjs' own loss returns labels − softmax there,
    // which is not the derivative), computed in float64 as the oracle.
    const wantLabels = Array.from(x, (v, i) => {
      const row = Array.from(x.subarray(i - (i % 7), i - (i % 7) + 7));
      const max = Math.max(...row);
      return -(v - max - Math.log(row.reduce((sum, r) => sum + Math.exp(r - max), 0))) / 33;
    });
    const wanted = [await wantLogits.data(), wantLabels];
    tf.dispose([logits, labels, wantValue, wantLogits]);

    await initBackend(name as 'wasm' | 'native');
    expect(tf.getKernel(SOFTMAX_CROSS_ENTROPY, name)).toBeDefined();
    const [l, t] = [tf.tensor2d(x, [33, 7]), tf.tensor2d(y, [33, 7])];
    const fused = (a: tf.Tensor, b: tf.Tensor) =>
      tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits: a, labels: b }) as tf.Scalar;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.valueAndGrads(fused)([l, t]);
    expect(worstRelative(await value.data(), want)).toBeLessThan(1e-6);
    expect(worstRelative(await (grads[0] as tf.Tensor).data(), wanted[0] as ArrayLike<number>)).toBeLessThan(1e-6);
    expect(worstRelative(await (grads[1] as tf.Tensor).data(), wanted[1] as ArrayLike<number>)).toBeLessThan(1e-6);
    tf.dispose([value, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    const profile = await tf.profile(() => tf.grad((a: tf.Tensor) => fused(a, t))(l));
    // Two kernels, forward and backward (the tape's Identity copies of the saved inputs aside).
    const kernels = profile.kernels.map((k) => k.name).filter((k) => k !== 'Identity');
    expect(kernels).toEqual([SOFTMAX_CROSS_ENTROPY, SOFTMAX_CROSS_ENTROPY_GRAD]);
    tf.dispose([l, t]);
  });

  it('names the kernel and repeats the shapes for logits and labels that do not match', async () => {
    await initBackend(name as 'wasm' | 'native');
    const [l, t] = [tf.zeros([4, 10]), tf.zeros([4, 9])];
    expect(() => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY, { logits: l, labels: t })).toThrow(
      `${name} ConvkitSoftmaxCrossEntropy: logits and labels must be float32 [batch, classes] of one shape, received float32 [4,10] and float32 [4,9]`,
    );
    tf.dispose([l, t]);
  });
});
