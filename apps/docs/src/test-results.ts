/**
 * What the trained network gets right and wrong on the bundled test digits:
 * a 10×10 confusion matrix (true digit down, predicted across) and every
 * misclassified digit with its true label, the prediction and the softmax
 * confidence in it. Batched, tidy, and read with `await data()` only.
 */
import type { ImageDataset } from '@convkit/data/browser';
import type { RgbaImage } from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';

export interface Mistake {
  /** The digit's index in the bundled test set. */
  index: number;
  label: number;
  predicted: number;
  /** Softmax probability of the predicted class, 0–1. */
  confidence: number;
}

export interface TestResults {
  /** `confusion[true][predicted]`: counts. */
  confusion: number[][];
  mistakes: Mistake[];
  count: number;
}

/** Anything that maps a `[n, 28, 28, 1]` batch to `[n, classes]` logits (a convkit `Layer`). */
export interface Classifier {
  apply(x: tf.Tensor): tf.Tensor;
}

/**
 * Tallies softmax rows against labels: `probabilities` holds `labels.length`
 * rows of `classes` values. Ties go to the lower class, as `argMax` does.
 */
export function tally(labels: ArrayLike<number>, probabilities: ArrayLike<number>, classes = 10): TestResults {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const mistakes: Mistake[] = [];
  for (let i = 0; i < labels.length; i++) {
    let predicted = 0;
    for (let c = 1; c < classes; c++)
      if ((probabilities[i * classes + c] as number) > (probabilities[i * classes + predicted] as number))
        predicted = c;
    const label = labels[i] as number;
    const row = confusion[label];
    if (!row) throw new RangeError(`test digit ${i}: label ${label} is not one of the ${classes} classes`);
    row[predicted] = (row[predicted] as number) + 1;
    const confidence = probabilities[i * classes + predicted] as number;
    if (predicted !== label) mistakes.push({ index: i, label, predicted, confidence });
  }
  return { confusion, mistakes, count: labels.length };
}

/** Runs `model` over every test digit (pixels / 255, as in training) in batches of `batch`. */
export async function testResults(model: Classifier, test: ImageDataset, batch = 100): Promise<TestResults> {
  const size = test.height * test.width * test.channels;
  const classes = 10;
  const probabilities = new Float32Array(test.count * classes);
  for (let start = 0; start < test.count; start += batch) {
    const n = Math.min(batch, test.count - start);
    const pixels = test.images.subarray(start * size, (start + n) * size);
    const p = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(pixels), [n, test.height, test.width, test.channels]), 255);
      return tf.softmax(model.apply(x));
    });
    probabilities.set(await p.data().finally(() => p.dispose()), start * classes);
  }
  return tally(test.labels, probabilities, classes);
}

/** A gray digit (rows of 0–255, white ink on black as MNIST stores it) as an RGBA image. */
export function digitImage(pixels: Uint8Array, width = 28, height = 28): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const v = pixels[i] as number;
    data.set([v, v, v, 255], i * 4);
  }
  return { width, height, data };
}
