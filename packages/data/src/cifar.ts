import type { ImageDataset } from './dataset.js';
import { FormatError } from './errors.js';

/** Which CIFAR: 10 classes, or 100 with its fine (100) or coarse (20) labels. */
export type CifarVariant = 'cifar10' | 'cifar100-fine' | 'cifar100-coarse';

const PIXELS = 32 * 32;

/**
 * Parses CIFAR's binary records: per image its label byte(s) (CIFAR-100:
 * coarse, then fine), then 1024 red, 1024 green and 1024 blue bytes, each
 * plane row-major 32×32. Returns NHWC bytes. Browser-safe.
 */
export function parseCifar(bytes: Uint8Array, file: string, variant: CifarVariant = 'cifar10'): ImageDataset {
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  const record = labelBytes + 3 * PIXELS;
  const classes = variant === 'cifar100-fine' ? 100 : variant === 'cifar100-coarse' ? 20 : 10;
  if (bytes.length === 0 || bytes.length % record !== 0) {
    const whole = Math.floor(bytes.length / record) * record;
    throw new FormatError(
      file,
      whole,
      `${bytes.length} bytes is not a whole number of ${record}-byte ${variant.startsWith('cifar100') ? 'CIFAR-100' : 'CIFAR-10'} records (${bytes.length - whole} left over): a truncated file or the wrong variant`,
    );
  }
  const count = bytes.length / record;
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Uint8Array(count);
  const labelIndex = variant === 'cifar100-fine' ? 1 : 0;
  for (let n = 0; n < count; n++) {
    const start = n * record;
    const label = bytes[start + labelIndex] as number;
    if (label >= classes) {
      throw new FormatError(
        file,
        start + labelIndex,
        `record ${n} has label ${label}, outside 0–${classes - 1} for ${variant}`,
      );
    }
    labels[n] = label;
    const pixels = start + labelBytes;
    const out = n * 3 * PIXELS;
    for (let p = 0; p < PIXELS; p++) {
      images[out + 3 * p] = bytes[pixels + p] as number;
      images[out + 3 * p + 1] = bytes[pixels + PIXELS + p] as number;
      images[out + 3 * p + 2] = bytes[pixels + 2 * PIXELS + p] as number;
    }
  }
  return { images, labels, count, height: 32, width: 32, channels: 3, classes };
}

/** Several datasets of the same geometry as one (CIFAR-10's five training batches). */
export function concatDatasets(parts: readonly ImageDataset[]): ImageDataset {
  const first = parts[0];
  if (!first) throw new RangeError('concatDatasets needs at least one dataset');
  const count = parts.reduce((c, p) => c + p.count, 0);
  const images = new Uint8Array(parts.reduce((c, p) => c + p.images.length, 0));
  const labels = new Uint8Array(count);
  let i = 0;
  let l = 0;
  for (const part of parts) {
    images.set(part.images, i);
    labels.set(part.labels, l);
    i += part.images.length;
    l += part.count;
  }
  return { ...first, images, labels, count };
}
