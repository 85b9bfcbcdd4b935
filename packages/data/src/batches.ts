import { type Tensor2D, type Tensor4D, tensor2d, tensor4d } from '@tensorflow/tfjs-core';
import type { ImageDataset } from './dataset.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence, floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `0 … count − 1` in a seeded Fisher–Yates order. */
export function shuffledIndices(count: number, seed: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const random = mulberry32(seed);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = order[i] as number;
    order[i] = order[j] as number;
    order[j] = a;
  }
  return order;
}

export type Normalize = 'unit' | { mean: number; std: number };

export interface BatchOptions {
  batchSize?: number;
  /** Default true: a seeded shuffle (use a different seed per epoch for a different order). */
  shuffle?: boolean;
  /** Default 0. */
  seed?: number;
  /** `'unit'` (default): pixels / 255 in [0, 1]; `{ mean, std }`: `(pixel / 255 − mean) / std`. */
  normalize?: Normalize;
}

export interface Batch {
  /** `[b, height, width, channels]` float32. */
  x: Tensor4D;
  /** `[b, classes]` one-hot float32. */
  y: Tensor2D;
  /** The dataset indices of this batch's examples. */
  indices: Uint32Array;
}

/**
 * One epoch of batches; the last may be smaller. Each batch's tensors are made
 * when it is reached and belong to the caller: dispose them (or use tf.tidy).
 */
export function* batches(dataset: ImageDataset, options: BatchOptions = {}): Generator<Batch, void, undefined> {
  const { batchSize = 32, shuffle = true, seed = 0, normalize = 'unit' } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  let scale = 1 / 255;
  let shift = 0;
  if (normalize !== 'unit') {
    if (!(normalize.std > 0)) throw new RangeError(`normalize.std must be > 0, got ${normalize.std}`);
    scale = 1 / (255 * normalize.std);
    shift = -normalize.mean / normalize.std;
  }
  const { count, height, width, channels, classes, images, labels } = dataset;
  const size = height * width * channels;
  const order = shuffle ? shuffledIndices(count, seed) : Uint32Array.from({ length: count }, (_, i) => i);
  for (let start = 0; start < count; start += batchSize) {
    const indices = order.subarray(start, Math.min(start + batchSize, count));
    const b = indices.length;
    const x = new Float32Array(b * size);
    const y = new Float32Array(b * classes);
    indices.forEach((index, row) => {
      const pixels = images.subarray(index * size, (index + 1) * size);
      for (let k = 0; k < size; k++) x[row * size + k] = (pixels[k] as number) * scale + shift;
      const label = labels[index] as number;
      if (label >= classes) throw new RangeError(`label ${label} of example ${index} is not a class 0–${classes - 1}`);
      y[row * classes + label] = 1;
    });
    yield {
      x: tensor4d(x, [b, height, width, channels], 'float32'),
      y: tensor2d(y, [b, classes], 'float32'),
      indices: indices.slice(),
    };
  }
}

/** The examples at `indices`, copied, in that order. */
export function subset(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = dataset.height * dataset.width * dataset.channels;
  const images = new Uint8Array(indices.length * size);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!(index >= 0 && index < dataset.count))
      throw new RangeError(`index ${index} is outside 0…${dataset.count - 1}`);
    images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
    labels[i] = dataset.labels[index] as number;
  }
  return { ...dataset, images, labels, count: indices.length };
}

/**
 * A seeded split: `round(count × fraction)` examples, chosen at random, for
 * validation and the rest for training; disjoint, together all of them.
 */
export function trainValidationSplit(
  dataset: ImageDataset,
  fraction: number,
  seed = 0,
): { train: ImageDataset; validation: ImageDataset } {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`fraction must be in [0, 1), got ${fraction}`);
  const order = shuffledIndices(dataset.count, seed);
  const held = Math.round(dataset.count * fraction);
  const sorted = (a: Uint32Array) => a.slice().sort();
  return {
    train: subset(dataset, sorted(order.subarray(held))),
    validation: subset(dataset, sorted(order.subarray(0, held))),
  };
}
