import type { ImageDataset } from './dataset.js';
import { FormatError } from './errors.js';

/** Which CIFAR: 10 classes, or 100 with its fine (100) or coarse (20) labels. */
export type CifarVariant = 'cifar10' | 'cifar100-fine' | 'cifar100-coarse';

const PIXELS = 32 * 32;

/** A variant's record layout: label bytes (CIFAR-100: coarse, then fine), which one is the label, the classes. */
export function cifarLayout(variant: CifarVariant) {
  if (variant !== 'cifar10' && variant !== 'cifar100-fine' && variant !== 'cifar100-coarse') {
    throw new RangeError(
      `CIFAR variant must be 'cifar10', 'cifar100-fine' or 'cifar100-coarse', got ${JSON.stringify(variant)}`,
    );
  }
  const labelBytes = variant === 'cifar10' ? 1 : 2;
  return {
    labelBytes,
    labelIndex: variant === 'cifar100-fine' ? 1 : 0,
    record: labelBytes + 3 * PIXELS,
    classes: variant === 'cifar100-fine' ? 100 : variant === 'cifar100-coarse' ? 20 : 10,
    name: variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100',
  };
}

/** The message for a file that is not a whole number of records (`parseCifar` and `openCifarSource` share it). */
export function cifarSizeProblem(size: number, variant: CifarVariant): string | undefined {
  const { record, name } = cifarLayout(variant);
  if (size !== 0 && size % record === 0) return undefined;
  const whole = Math.floor(size / record) * record;
  return `${size} bytes is not a whole number of ${record}-byte ${name} records (${size - whole} left over): a truncated file or the wrong variant`;
}

/**
 * Copies record `n` (at `start` in `bytes`) into `images` at image `out` as
 * NHWC and returns its label, checked against the variant's classes.
 */
export function decodeCifarRecord(
  bytes: Uint8Array,
  start: number,
  images: Uint8Array,
  out: number,
  variant: CifarVariant,
  where: { file: string; offset: number; record: number },
): number {
  const { labelBytes, labelIndex, classes } = cifarLayout(variant);
  const label = bytes[start + labelIndex] as number;
  if (label >= classes) {
    throw new FormatError(
      where.file,
      where.offset + labelIndex,
      `record ${where.record} has label ${label}, outside 0–${classes - 1} for ${variant}`,
    );
  }
  const pixels = start + labelBytes;
  const at = out * 3 * PIXELS;
  for (let p = 0; p < PIXELS; p++) {
    images[at + 3 * p] = bytes[pixels + p] as number;
    images[at + 3 * p + 1] = bytes[pixels + PIXELS + p] as number;
    images[at + 3 * p + 2] = bytes[pixels + 2 * PIXELS + p] as number;
  }
  return label;
}

/**
 * Parses CIFAR's binary records: per image its label byte(s) (CIFAR-100:
 * coarse, then fine), then 1024 red, 1024 green and 1024 blue bytes, each
 * plane row-major 32×32. Returns NHWC bytes. Browser-safe.
 */
export function parseCifar(bytes: Uint8Array, file: string, variant: CifarVariant = 'cifar10'): ImageDataset {
  const { record, classes } = cifarLayout(variant);
  const problem = cifarSizeProblem(bytes.length, variant);
  if (problem) throw new FormatError(file, Math.floor(bytes.length / record) * record, problem);
  const count = bytes.length / record;
  const images = new Uint8Array(count * 3 * PIXELS);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = decodeCifarRecord(bytes, n * record, images, n, variant, { file, offset: n * record, record: n });
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
