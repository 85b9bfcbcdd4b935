import type { ImageDataset, Normalize } from '@convkit/data';
import { type Layer, walkLayers } from '@convkit/layers';
import { encodePng, type RgbaImage } from '@convkit/viz';
import * as tf from '@tensorflow/tfjs-core';

/** Test images the report's pictures search: enough for telling top patches, few enough for a report in seconds. */
export const REPORT_SAMPLE = 1000;

/** The first `count` test images at the model's input size, with their labels, and how many the test set has. */
export interface Sample extends Omit<ImageDataset, 'classes'> {
  /** Test images in all. */
  total: number;
}

/**
 * The first `count` test images, centre-cropped to the model's input where
 * training cropped (a recipe's random crops make the model's input smaller
 * than the images; the evaluation crops the centre the same way).
 */
export function testSample(test: ImageDataset, input: readonly number[], count = REPORT_SAMPLE): Sample {
  const n = Math.min(count, test.count);
  const [h = test.height, w = test.width] = input;
  const c = test.channels;
  const top = Math.max(0, Math.floor((test.height - h) / 2));
  const left = Math.max(0, Math.floor((test.width - w) / 2));
  const images = new Uint8Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      const from = ((i * test.height + top + y) * test.width + left) * c;
      images.set(test.images.subarray(from, from + w * c), (i * h + y) * w * c);
    }
  }
  return { images, labels: test.labels.subarray(0, n), count: n, height: h, width: w, channels: c, total: test.count };
}

/** Bytes to the model's input as training fed it: `/ 255`, then `(x − mean) / std` when the run normalizes so. */
export function preprocessor(
  normalize: Normalize,
): (bytes: Uint8Array, shape: [number, number, number, number]) => tf.Tensor4D {
  return (bytes, shape) =>
    tf.tidy(() => {
      const unit = tf.div(tf.tensor4d(bytes, shape, 'float32'), 255);
      if (normalize === 'unit') return unit as tf.Tensor4D;
      const vector = (v: number | readonly number[]) => (typeof v === 'number' ? tf.scalar(v) : tf.tensor1d([...v]));
      return tf.div(tf.sub(unit, vector(normalize.mean)), vector(normalize.std)) as tf.Tensor4D;
    });
}

/** The input value of mid gray (0.5 before normalization) in channel 0: the occluder's fill. */
export function midGray(normalize: Normalize): number {
  if (normalize === 'unit') return 0.5;
  const first = (v: number | readonly number[]) => (typeof v === 'number' ? v : (v[0] ?? 0));
  return (0.5 - first(normalize.mean)) / first(normalize.std);
}

/** The names of a model's convolutions, depth-first. */
export function convLayers(model: Layer): string[] {
  return walkLayers(model)
    .filter((v) => v.layer.type === 'conv2d')
    .map((v) => v.layer.name);
}

/** A run-folder file name for a layer's picture: its name with anything but letters, digits, `.`, `_` and `-` as `_`. */
export function layerFile(prefix: string, layer: string): string {
  return `${prefix}-${layer.replace(/[^\w.-]/g, '_')}`;
}

/** Writes a file of the run folder. */
export type Write = (name: string, bytes: Uint8Array | string) => Promise<void>;

const thousands = (n: number) => n.toLocaleString('en-US');

/** The sentence every searched picture carries: how many test images were looked at, and why not all. */
export function sampleNote(sample: Sample): string {
  return sample.count < sample.total
    ? `the first ${thousands(sample.count)} of the ${thousands(sample.total)} test images (a sample, to keep the report to seconds)`
    : `all ${thousands(sample.total)} test images`;
}

/** The PNG of an image as base64, for a gallery entry of a sidecar JSON. */
export const base64Png = (image: RgbaImage) => Buffer.from(encodePng(image)).toString('base64');

/** Example `i` of a sample as an image (gray, or RGB from the first three channels). */
export function digit(sample: Sample, i: number): RgbaImage {
  const { height, width, channels } = sample;
  const data = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let k = 0; k < 3; k++)
      data[4 * p + k] = sample.images[(i * height * width + p) * channels + (channels >= 3 ? k : 0)] ?? 0;
    data[4 * p + 3] = 255;
  }
  return { width, height, data };
}
