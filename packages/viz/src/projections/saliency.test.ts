import { initBackend } from '@convkit/backend';
import { Activation, Conv2d, Dense, Flatten, type Layer, sequential } from '@convkit/layers';
import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { guidedBackprop, saliency } from './saliency.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const SHAPE = [5, 5, 2] as const;
const SIZE = SHAPE[0] * SHAPE[1] * SHAPE[2];

function tinyNet(activation: 'relu' | 'tanh'): Layer {
  const model = sequential([
    new Conv2d({ name: 'conv', filters: 3, kernel: 3, padding: 'same', activation }),
    new Flatten({}),
    new Dense({ name: 'out', units: 4 }),
  ]);
  model.build([...SHAPE], { seed: 11 });
  return model;
}

function input(examples: number, seed: number): tf.Tensor4D {
  const next = mulberry32(seed);
  return tf.tensor4d(
    Float32Array.from({ length: examples * SIZE }, () => next() * 2 - 1),
    [examples, ...SHAPE],
  );
}

/** Central differences of each example's class score, every input element at once (one batch of perturbed copies). */
async function finiteDifferences(model: Layer, x: tf.Tensor4D, classes: number[], eps = 1e-3): Promise<Float32Array> {
  const base = await x.data();
  const grads = new Float32Array(base.length);
  for (let b = 0; b < classes.length; b++) {
    const copies = new Float32Array(2 * SIZE * SIZE);
    for (let i = 0; i < SIZE; i++) {
      for (const [k, sign] of [
        [0, 1],
        [1, -1],
      ] as const) {
        const at = (2 * i + k) * SIZE;
        copies.set(base.subarray(b * SIZE, (b + 1) * SIZE), at);
        copies[at + i] = (copies[at + i] as number) + sign * eps;
      }
    }
    const out = tf.tidy(() => model.apply(tf.tensor4d(copies, [2 * SIZE, ...SHAPE])));
    const scores = await out.data();
    out.dispose();
    const units = out.shape[1] as number;
    for (let i = 0; i < SIZE; i++) {
      const c = classes[b] as number;
      grads[b * SIZE + i] =
        ((scores[2 * i * units + c] as number) - (scores[(2 * i + 1) * units + c] as number)) / (2 * eps);
    }
  }
  return grads;
}

describe('saliency (Simonyan et al. 2014)', () => {
  it('is max over channels of |∂score/∂x|, as finite differences give, for each example its class', async () => {
    const model = tinyNet('relu');
    const x = input(2, 1);
    const before = tf.memory().numTensors;
    const s = await saliency(model, x, { channel: [1, 3] });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.shape).toEqual([2, 5, 5]);
    const fd = await finiteDifferences(model, x, [1, 3]);
    const expected = Array.from({ length: 2 * 25 }, (_, p) =>
      Math.max(Math.abs(fd[2 * p] as number), Math.abs(fd[2 * p + 1] as number)),
    );
    expect([...s.data]).toEqual(expected.map((v) => expect.closeTo(v, 3)));
    expect(s.data.some((v) => v > 0.01)).toBe(true);
    const scores = tf.tidy(() => model.apply(x));
    const values = await scores.data();
    expect(s.units.map((u) => u.value)).toEqual([values[1], values[4 + 3]].map((v) => expect.closeTo(v as number, 5)));
    expect(s.layer).toBe(model.name);
    tf.dispose([x, scores]);
    model.dispose();
  });

  it('defaults to each example’s top class, and scores a unit of an inner layer at its strongest position', async () => {
    const model = tinyNet('relu');
    const x = input(3, 2);
    const scores = tf.tidy(() => model.apply(x));
    const top = Array.from(await tf.tidy(() => tf.argMax(scores, 1)).data());
    const s = await saliency(model, x);
    expect(s.units.map((u) => u.channel)).toEqual(top);
    const inner = await saliency(model, x, { layer: 'conv', channel: 2 });
    const maps = tf.tidy(() => model.children[0]?.apply(x) as tf.Tensor);
    const values = await maps.data();
    for (const [b, u] of inner.units.entries()) {
      const channel = [...values.subarray(b * 75, (b + 1) * 75)].filter((_, i) => i % 3 === 2);
      expect(u.value).toBe(Math.max(...channel));
      // A 3×3 'same' convolution's unit sees only its 3×3 neighbourhood.
      const [uy, ux] = u.position;
      const outside = [...inner.data.subarray(b * 25, (b + 1) * 25)].filter(
        (_, p) => Math.abs(Math.floor(p / 5) - uy) > 1 || Math.abs((p % 5) - ux) > 1,
      );
      expect(outside.every((v) => v === 0)).toBe(true);
    }
    tf.dispose([x, scores, maps]);
    model.dispose();
  });
});

describe('guided backpropagation (Springenberg et al. 2015)', () => {
  it('equals the plain gradient (finite differences) when the model has no ReLU', async () => {
    const model = tinyNet('tanh');
    const x = input(2, 3);
    const before = tf.memory().numTensors;
    const g = await guidedBackprop(model, x, { channel: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(g.shape).toEqual([2, ...SHAPE]);
    const fd = await finiteDifferences(model, x, [2, 2]);
    expect([...g.data]).toEqual([...fd].map((v) => expect.closeTo(v, 3)));
    x.dispose();
    model.dispose();
  });

  it('passes only positive gradients, only where the ReLU’s input was positive (a case by hand)', async () => {
    // score = relu(x0) − relu(x1): a 1×1 identity convolution, a ReLU (fused or a layer), then weights [1, −1].
    const fused = sequential([
      new Conv2d({ name: 'hidden', filters: 2, kernel: 1, bias: false, activation: 'relu' }),
      new Conv2d({ name: 'score', filters: 1, kernel: 1, bias: false }),
    ]);
    const separate = sequential([
      new Conv2d({ name: 'hidden', filters: 2, kernel: 1, bias: false }),
      new Activation({ fn: 'relu' }),
      new Conv2d({ name: 'score', filters: 1, kernel: 1, bias: false }),
    ]);
    // x0 = 2, x1 = 3: both ReLUs open; x0 = −2, x1 = 3: the first is closed.
    const x = tf.tensor4d([2, 3, -2, 3], [2, 1, 1, 2]);
    for (const model of [fused, separate]) {
      model.build([1, 1, 2]);
      tf.tidy(() =>
        model.setWeights({
          'hidden/kernel': tf.tensor4d([1, 0, 0, 1], [1, 1, 2, 2]),
          'score/kernel': tf.tensor4d([1, -1], [1, 1, 2, 1]),
        }),
      );
      // The plain gradients are [1, −1] and [0, −1]; guided keeps the positive, open ones.
      const g = await guidedBackprop(model, x, { layer: 'score', channel: 0 });
      expect([...g.data]).toEqual([1, 0, 0, 0]);
      const s = await saliency(model, x, { layer: 'score', channel: 0 });
      expect([...s.data]).toEqual([1, 1]);
      expect(model.children.some((l) => Object.hasOwn(l, 'apply'))).toBe(false); // the ReLUs are restored
      model.dispose();
    }
    x.dispose();
  });

  it('rejects an input that is not a float32 tensor, naming it', async () => {
    const model = tinyNet('relu');
    const x = tf.zeros([1, ...SHAPE], 'int32');
    await expect(guidedBackprop(model, x)).rejects.toThrow(
      /guidedBackprop\(sequential\d*\): .*received a int32 tensor \[1, 5, 5, 2\]/,
    );
    x.dispose();
    model.dispose();
  });
});
