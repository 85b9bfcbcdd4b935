import { mulberry32 } from '@convkit/shape';
import { type Tensor2D, type Tensor4D, tensor2d, tensor4d } from '@tensorflow/tfjs-core';
import { type AugmentOptions, augmentExample, augmentedShape } from './augment.js';
import type { ImageDataset } from './dataset.js';

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

/**
 * `'unit'`: pixels / 255, in [0, 1]. `{ mean, std }`: `(pixel / 255 − mean) / std`,
 * with `mean` and `std` on the 0–1 scale as torchvision gives them, either one
 * number for every channel or one per channel (e.g. ImageNet's
 * `{ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }`).
 */
export type Normalize = 'unit' | { mean: number | readonly number[]; std: number | readonly number[] };

export interface BatchOptions {
  batchSize?: number;
  /** Default true: a seeded shuffle (use a different seed per epoch for a different order). */
  shuffle?: boolean;
  /** Default 0. Seeds the shuffle and the augmentation. */
  seed?: number;
  /** Default `'unit'`; see {@link Normalize}. Applied after augmentation. */
  normalize?: Normalize;
  /**
   * Augments each example (see {@link AugmentOptions}) before normalizing, with
   * a random stream seeded by `seed` and the example's index, so the same
   * seed gives the same batches however they are read.
   */
  augment?: AugmentOptions;
}

export interface Batch {
  /** `[b, height, width, channels]` float32 (height and width as `augmentedShape` gives them). */
  x: Tensor4D;
  /** `[b, classes]` one-hot float32. */
  y: Tensor2D;
  /** The dataset indices of this batch's examples. */
  indices: Uint32Array;
}

/** The size and classes of a dataset, all batching needs besides the bytes. */
export interface Geometry {
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
}

/** Per-channel `x = pixel · scale[c] + shift[c]`. */
function affine(normalize: Normalize, channels: number): { scale: Float64Array; shift: Float64Array } {
  const scale = new Float64Array(channels).fill(1 / 255);
  const shift = new Float64Array(channels);
  if (normalize === 'unit') return { scale, shift };
  if (typeof normalize !== 'object' || normalize === null) {
    throw new RangeError(`normalize must be 'unit' or { mean, std }, got ${JSON.stringify(normalize)}`);
  }
  const perChannel = (name: 'mean' | 'std'): number[] => {
    const value = normalize[name];
    const values = typeof value === 'number' ? new Array<number>(channels).fill(value) : Array.from(value ?? []);
    if (values.length !== channels) {
      throw new RangeError(
        `normalize.${name} has ${values.length} values [${values.join(', ')}] for ${channels}-channel images: give one number or ${channels}`,
      );
    }
    return values;
  };
  const mean = perChannel('mean');
  const std = perChannel('std');
  for (let c = 0; c < channels; c++) {
    const m = mean[c] as number;
    const s = std[c] as number;
    if (!(s > 0) || !Number.isFinite(s))
      throw new RangeError(`normalize.std must be > 0, got ${JSON.stringify(normalize.std)}`);
    if (!Number.isFinite(m))
      throw new RangeError(`normalize.mean must be finite, got ${JSON.stringify(normalize.mean)}`);
    scale[c] = 1 / (255 * s);
    shift[c] = -m / s;
  }
  return { scale, shift };
}

/** A well-mixed 32-bit seed per (seed, example), so examples get unrelated random streams (murmur3's finalizer). */
function exampleSeed(seed: number, index: number): number {
  let h = Math.imul((seed ^ 0x9e3779b9) >>> 0, 0x85ebca6b) ^ index;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The one batching recipe `batches` and `streamBatches` share: the order,
 * and how a batch's tensors are made from its examples' bytes, so both give
 * the same values.
 */
export function planBatches(geometry: Geometry, options: BatchOptions = {}) {
  const { batchSize = 32, shuffle = true, seed = 0, normalize = 'unit', augment } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const { count, height, width, channels, classes } = geometry;
  const { scale, shift } = affine(normalize, channels);
  const [outHeight, outWidth] = augment ? augmentedShape(augment, height, width, channels) : [height, width];
  const size = height * width * channels;
  const outSize = outHeight * outWidth * channels;
  const order = shuffle ? shuffledIndices(count, seed) : Uint32Array.from({ length: count }, (_, i) => i);
  const starts = Array.from({ length: Math.ceil(count / batchSize) }, (_, k) => k * batchSize);

  /** The tensors for `indices`, whose bytes `pixels(row)` and labels `label(row)` give. */
  const make = (indices: Uint32Array, pixels: (row: number) => Uint8Array, label: (row: number) => number): Batch => {
    const b = indices.length;
    const x = new Float32Array(b * outSize);
    const y = new Float32Array(b * classes);
    indices.forEach((index, row) => {
      let image: ArrayLike<number> = pixels(row);
      if (image.length !== size) throw new RangeError(`example ${index} has ${image.length} bytes, expected ${size}`);
      if (augment) {
        const floats = Float32Array.from(image);
        image = augmentExample(floats, height, width, channels, augment, mulberry32(exampleSeed(seed, index))).data;
      }
      const at = row * outSize;
      for (let k = 0; k < outSize; k++) {
        const c = k % channels;
        x[at + k] = (image[k] as number) * (scale[c] as number) + (shift[c] as number);
      }
      const value = label(row);
      if (value >= classes) throw new RangeError(`label ${value} of example ${index} is not a class 0–${classes - 1}`);
      y[row * classes + value] = 1;
    });
    return {
      x: tensor4d(x, [b, outHeight, outWidth, channels], 'float32'),
      y: tensor2d(y, [b, classes], 'float32'),
      indices: indices.slice(),
    };
  };
  return {
    starts,
    /** Dataset indices of the batch that starts at `start`. */
    indicesAt: (start: number) => order.subarray(start, Math.min(start + batchSize, count)),
    make,
  };
}

/**
 * One epoch of batches; the last may be smaller. Each batch's tensors are made
 * when it is reached and belong to the caller: dispose them (or use tf.tidy).
 *
 * @example
 * for (const { x, y } of batches(train, { batchSize: 64, seed: epoch, augment: { flip: true } })) {
 *   // x: [64, 28, 28, 1] float32, y: [64, 10] one-hot
 *   x.dispose();
 *   y.dispose();
 * }
 */
export function* batches(dataset: ImageDataset, options: BatchOptions = {}): Generator<Batch, void, undefined> {
  const { starts, indicesAt, make } = planBatches(dataset, options);
  const size = dataset.height * dataset.width * dataset.channels;
  for (const start of starts) {
    const indices = indicesAt(start);
    yield make(
      indices,
      (row) => {
        const index = indices[row] as number;
        return dataset.images.subarray(index * size, (index + 1) * size);
      },
      (row) => dataset.labels[indices[row] as number] as number,
    );
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
