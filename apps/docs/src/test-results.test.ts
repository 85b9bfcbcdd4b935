import { initBackend } from '@convkit/backend';
import type { ImageDataset } from '@convkit/data/browser';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { digitImage, tally, testResults } from './test-results.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A classifier that "reads" the first pixel: logits 5 at class (pixel0 mod 10), 0 elsewhere. */
const firstPixel = {
  apply: (x: tf.Tensor) =>
    tf.tidy(() => {
      const first = tf.round(tf.mul(tf.reshape(tf.slice(x, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1]), 255));
      return tf.mul(tf.oneHot(tf.cast(tf.mod(first, 10), 'int32'), 10), 5);
    }),
};

function dataset(firsts: number[], labels: number[]): ImageDataset {
  const images = new Uint8Array(firsts.length * 784);
  firsts.forEach((v, i) => {
    images[i * 784] = v;
  });
  return {
    count: labels.length,
    height: 28,
    width: 28,
    channels: 1,
    images,
    labels: Uint8Array.from(labels),
  } as ImageDataset;
}

describe('test results of a classifier', () => {
  it('counts each digit once in the confusion matrix and lists exactly the off-diagonal ones', async () => {
    const firsts = [3, 3, 7, 12, 0, 9, 9];
    const labels = [3, 5, 7, 2, 1, 9, 4];
    const before = tf.memory().numTensors;
    const r = await testResults(firstPixel, dataset(firsts, labels), 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.count).toBe(7);
    expect(r.confusion[3]?.[3]).toBe(1);
    expect(r.confusion[5]?.[3]).toBe(1);
    expect(r.confusion[2]?.[2]).toBe(1);
    expect(r.confusion[1]?.[0]).toBe(1);
    expect(r.confusion[4]?.[9]).toBe(1);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(7);
    expect(r.mistakes.map((m) => [m.index, m.label, m.predicted])).toEqual([
      [1, 5, 3],
      [4, 1, 0],
      [6, 4, 9],
    ]);
    // softmax of one logit 5 among nine zeros
    const p = Math.exp(5) / (Math.exp(5) + 9);
    for (const m of r.mistakes) expect(m.confidence).toBeCloseTo(p, 5);
  });

  it('breaks ties to the lower class and names a label outside the classes', () => {
    expect(tally([1], [0.5, 0.5, 0, 0], 4).mistakes).toEqual([{ index: 0, label: 1, predicted: 0, confidence: 0.5 }]);
    expect(() => tally([7], [1, 0, 0, 0], 4)).toThrow(/test digit 0: label 7 is not one of the 4 classes/);
  });

  it('draws a digit as opaque gray pixels', () => {
    const image = digitImage(Uint8Array.from([0, 128, 255, 7]), 2, 2);
    expect(Array.from(image.data)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 7, 7, 7, 255]);
  });
});
