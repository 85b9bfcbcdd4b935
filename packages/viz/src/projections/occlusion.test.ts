import { initBackend } from '@convkit/backend';
import { Conv2d, Dense, Flatten, GlobalPool2d, type Layer, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAR_KERNEL, plantedDataset } from '../../test/planted.js';
import { occlusion } from './occlusion.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** score₀ = Σ scale·k·x_k over a 3×3 image (k = 1 … 9, row-major), score₁ = 0: a linear model to occlude by hand. */
function linear(scale: number, activation: 'linear' | 'softmax' = 'linear'): Layer {
  const model = sequential([new Flatten({}), new Dense({ name: 'out', units: 2, bias: false, activation })]);
  model.build([3, 3, 1]);
  const kernel = Array.from({ length: 9 }, (_, k) => [scale * (k + 1), 0]).flat();
  tf.tidy(() => model.setWeights({ 'out/kernel': tf.tensor2d(kernel, [9, 2]) }));
  return model;
}

const sigmoid = (s: number) => 1 / (1 + Math.exp(-s));

describe('occlusion sensitivity (Zeiler & Fergus §4.2)', () => {
  it('maps the class score under each square position, on a linear model by hand', async () => {
    const model = linear(1);
    const x = tf.ones([1, 3, 3, 1]);
    const o = await occlusion(model, x, { size: 2, stride: 1, fill: 0, softmax: false, classes: 0 });
    // All ones: 1 + … + 9 = 45. A 2×2 square at the top left hides weights 1, 2, 4, 5 (12): 33; top right
    // 2, 3, 5, 6 (16): 29; bottom left 4, 5, 7, 8 (24): 21; bottom right 5, 6, 8, 9 (28): 17.
    expect(o.shape).toEqual([1, 2, 2]);
    expect([...o.data]).toEqual([33, 29, 21, 17]);
    expect(o).toMatchObject({ classes: [0], baseline: [45], size: 2, stride: 1 });
    x.dispose();
    model.dispose();
  });

  it('maps probabilities (softmax added, or the model’s own), batched without changing a value, without leaks', async () => {
    // With weights k/10 the scores are 4.5 (none hidden), 3.3, 2.9, 2.1, 1.7; class 1 scores 0, so p₀ = σ(score).
    const x = tf.tensor4d([...new Array(9).fill(1), ...new Array(9).fill(0.5)], [2, 3, 3, 1]);
    const model = linear(0.1);
    const before = tf.memory().numTensors;
    const small = await occlusion(model, x, { size: 2, stride: 1, fill: 0, batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const large = await occlusion(model, x, { size: 2, stride: 1, fill: 0, batchSize: 64 });
    expect([...small.data]).toEqual([...large.data]);
    // The second image is all 0.5: every score halves (2.25 unoccluded).
    const scores = [3.3, 2.9, 2.1, 1.7, 1.65, 1.45, 1.05, 0.85];
    expect([...small.data]).toEqual(scores.map((s) => expect.closeTo(sigmoid(s), 5)));
    expect(small.classes).toEqual([0, 0]); // the predicted class of each
    expect(small.baseline).toEqual([4.5, 2.25].map((s) => expect.closeTo(sigmoid(s), 5)));
    const own = linear(0.1, 'softmax'); // ends in a softmax: its output is already the probability
    const same = await occlusion(own, x, { size: 2, stride: 1, fill: 0 });
    expect([...same.data]).toEqual([...small.data].map((v) => expect.closeTo(v, 6)));
    tf.dispose(x);
    model.dispose();
    own.dispose();
  });

  it('drops the class probability most where the square hides a planted bar', async () => {
    const size = 12;
    const data = plantedDataset(1, size, [{ example: 0, row: 4, col: 5, value: 255 }]);
    const model = sequential([
      new Conv2d({ name: 'detector', filters: 1, kernel: 3, activation: 'relu' }),
      new GlobalPool2d({ mode: 'max' }),
      new Dense({ name: 'out', units: 2, activation: 'softmax' }),
    ]);
    model.build([size, size, 1]);
    tf.tidy(() =>
      model.setWeights({
        'detector/kernel': tf.tensor4d(BAR_KERNEL, [3, 3, 1, 1]),
        'detector/bias': tf.zeros([1]),
        'out/kernel': tf.tensor2d([-1, 1], [1, 2]),
        'out/bias': tf.tensor1d([1, -1]),
      }),
    );
    const x = tf.div(tf.tensor4d(data.images, [1, size, size, 1], 'float32'), 255);
    const o = await occlusion(model, x, { size: 3, stride: 1 });
    expect(o.classes).toEqual([1]); // the bar is seen
    const [, rows = 0, cols = 0] = o.shape;
    const lowest = [...o.data].indexOf(Math.min(...o.data));
    // The squares that hide the whole bar (column 6, rows 4–6) start at row 4, columns 4–6.
    expect([Math.floor(lowest / cols), lowest % cols]).toSatisfy(([r, c]) => r === 4 && c >= 4 && c <= 6);
    expect(Math.min(...o.data)).toBeLessThan((o.baseline[0] as number) - 0.5);
    expect([rows, cols]).toEqual([10, 10]);
    x.dispose();
    model.dispose();
  });

  it('rejects a square larger than the image and a class the model does not have', async () => {
    const model = linear(1);
    const x = tf.ones([1, 3, 3, 1]);
    await expect(occlusion(model, x, { size: 4 })).rejects.toThrow(/size must fit in the 3×3 image.*size 4/);
    await expect(occlusion(model, x, { size: 2, classes: 5 })).rejects.toThrow(/class 5.*2 classes/);
    await expect(occlusion(model, tf.ones([3, 3, 1]) as tf.Tensor)).rejects.toThrow(/received \[3, 3, 1\]/);
    x.dispose();
    model.dispose();
  });
});
