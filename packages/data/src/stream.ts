import { type Batch, type BatchOptions, planBatches } from './batches.js';
import type { ImageDataset } from './dataset.js';

/**
 * Examples read on demand (from files, a network, a decoder), for data that
 * need not fit in memory. Same geometry fields as `ImageDataset`; NHWC.
 */
export interface DatasetSource {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly classes: number;
  /** Class names by index, where the data has them (image folders). */
  readonly classNames?: readonly string[];
  /** NHWC uint8 bytes and labels of the examples at `indices`, in that order. */
  read(indices: ArrayLike<number>): Promise<{ images: Uint8Array; labels: Uint8Array }>;
}

export interface StreamOptions extends BatchOptions {
  /** Batches read ahead of the one being consumed (default 1; 0 reads each batch only when it is asked for). */
  prefetch?: number;
}

/** Throws a RangeError unless every index is an integer in `0 … count − 1`. */
export function checkIndices(indices: ArrayLike<number>, count: number): void {
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`index ${index} (position ${i}) is outside 0…${count - 1}`);
    }
  }
}

/**
 * An in-memory dataset as a `DatasetSource`; each read copies. A dataset
 * with `classNames` (from `loadImageFolder`) keeps them.
 *
 * @example
 * const source = asSource(loadMnist());
 * const { images, labels } = await source.read([0, 1]); // 2·784 bytes, labels [5, 0]
 */
export function asSource(dataset: ImageDataset): DatasetSource {
  const { count, height, width, channels, classes } = dataset;
  const size = height * width * channels;
  const { classNames } = dataset as { classNames?: readonly string[] };
  return {
    count,
    height,
    width,
    channels,
    classes,
    ...(classNames ? { classNames } : {}),
    async read(indices) {
      checkIndices(indices, count);
      const images = new Uint8Array(indices.length * size);
      const labels = new Uint8Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const index = indices[i] as number;
        images.set(dataset.images.subarray(index * size, (index + 1) * size), i * size);
        labels[i] = dataset.labels[index] as number;
      }
      return { images, labels };
    },
  };
}

function isSource(data: DatasetSource | ImageDataset): data is DatasetSource {
  return typeof (data as Partial<DatasetSource>).read === 'function';
}

/**
 * One epoch of batches read from `source` one batch at a time (plus
 * `prefetch` batches ahead), with exactly the values `batches` gives for the
 * same data and options: the same order, augmentation and normalization.
 * Each batch's tensors belong to the caller: dispose them.
 *
 * @example
 * const source = await openIdxSource('train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
 * for await (const { x, y } of streamBatches(source, { batchSize: 128, seed: epoch, prefetch: 2 })) {
 *   x.dispose();
 *   y.dispose();
 * }
 * await source.close();
 */
export async function* streamBatches(
  source: DatasetSource | ImageDataset,
  options: StreamOptions = {},
): AsyncGenerator<Batch, void, undefined> {
  const { prefetch = 1, ...batchOptions } = options;
  if (!Number.isInteger(prefetch) || prefetch < 0) {
    throw new RangeError(`prefetch must be a non-negative integer, got ${prefetch}`);
  }
  const data = isSource(source) ? source : asSource(source);
  const { starts, indicesAt, make } = planBatches(data, batchOptions);
  const size = data.height * data.width * data.channels;
  type Read = Promise<{ images: Uint8Array; labels: Uint8Array }>;
  const reads: (Read | undefined)[] = [];
  const issue = (k: number) => {
    const indices = indicesAt(starts[k] as number);
    const read = data.read(indices);
    // A read ahead that fails after the consumer stopped must not surface as an unhandled rejection.
    read.catch(() => {});
    reads.push(read);
  };
  for (let k = 0; k < starts.length; k++) {
    while (reads.length < Math.min(k + 1 + prefetch, starts.length)) issue(reads.length);
    const indices = indicesAt(starts[k] as number);
    const { images, labels } = await (reads[k] as Read);
    // Let the finished read's bytes go once its batch is made.
    reads[k] = undefined;
    if (images.length !== indices.length * size || labels.length !== indices.length) {
      throw new RangeError(
        `source.read of ${indices.length} examples returned ${images.length} image bytes and ${labels.length} labels; expected ${indices.length * size} and ${indices.length}`,
      );
    }
    yield make(
      indices,
      (row) => images.subarray(row * size, (row + 1) * size),
      (row) => labels[row] as number,
    );
  }
}
