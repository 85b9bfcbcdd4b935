import { type FileHandle, open } from 'node:fs/promises';
import { type CifarVariant, cifarLayout, cifarSizeProblem, decodeCifarRecord } from './cifar.js';
import { missingCifarFile } from './cifar-node.js';
import { FormatError } from './errors.js';
import { isGzip, parseIdxHeader } from './idx.js';
import { checkIndices, type DatasetSource } from './stream.js';

/** A `DatasetSource` backed by open files: `close()` it when done. */
export interface FileSource extends DatasetSource {
  readonly files: readonly string[];
  close(): Promise<void>;
}

/** Reads exactly `buffer.length` bytes at `position`; a short file means it changed since it was opened. */
async function readExactly(handle: FileHandle, file: string, buffer: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) {
      throw new FormatError(
        file,
        position + done,
        `truncated: wanted ${buffer.length} bytes at byte ${position}, the file ends at ${position + done} (did it change after it was opened?)`,
      );
    }
    done += bytesRead;
  }
}

/**
 * Records `indices` of fixed size `recordSize` starting at byte `base`, in
 * the order asked. Runs of consecutive indices (an unshuffled epoch) are read
 * as one block; the runs are read concurrently.
 */
async function readRecords(
  handle: FileHandle,
  file: string,
  base: number,
  recordSize: number,
  indices: ArrayLike<number>,
): Promise<Uint8Array> {
  const out = new Uint8Array(indices.length * recordSize);
  const order = Array.from({ length: indices.length }, (_, i) => i).sort(
    (a, b) => (indices[a] as number) - (indices[b] as number),
  );
  const runs: number[][] = [];
  for (const position of order) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    const follows = last !== undefined && (indices[position] as number) === (indices[last] as number) + 1;
    if (run && follows) run.push(position);
    else runs.push([position]);
  }
  await Promise.all(
    runs.map(async (run) => {
      const first = indices[run[0] as number] as number;
      const block = new Uint8Array(run.length * recordSize);
      await readExactly(handle, file, block, base + first * recordSize);
      run.forEach((position, k) => {
        out.set(block.subarray(k * recordSize, (k + 1) * recordSize), position * recordSize);
      });
    }),
  );
  return out;
}

/** Opens `file` and reads the IDX header, validated against the file's size; gzip is refused, it has no offsets. */
async function openIdx(file: string, kind: 'images' | 'labels') {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const header = new Uint8Array(Math.min(size, 16));
    await readExactly(handle, file, header, 0);
    if (isGzip(header)) {
      throw new FormatError(
        file,
        0,
        'gzipped (1f 8b): a file source reads examples by offset, which gzip does not allow; gunzip the file first (gunzip -k) or load it into memory with readIdx / loadIdxPair',
      );
    }
    const parsed = parseIdxHeader(header, file, size);
    if (parsed.kind !== kind) throw new FormatError(file, 0, `holds ${parsed.kind}, expected ${kind}`);
    return { handle, ...parsed };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Node only: an uncompressed IDX images file and its labels file as a
 * `DatasetSource` that reads examples by offset (positional reads on an open
 * file), for data larger than memory. Headers are validated against the file
 * sizes; labels are checked as they are read.
 *
 * @example
 * const source = await openIdxSource('train-images-idx3-ubyte', 'train-labels-idx1-ubyte');
 * const { images, labels } = await source.read([0, 1, 2]);
 * await source.close();
 */
export async function openIdxSource(
  imagesPath: string,
  labelsPath: string,
  { classes = 10 }: { classes?: number } = {},
): Promise<FileSource> {
  if (!Number.isInteger(classes) || classes < 1 || classes > 256) {
    throw new RangeError(`openIdxSource: classes must be an integer in 1…256 (labels are bytes), got ${classes}`);
  }
  const images = await openIdx(imagesPath, 'images');
  let labels: Awaited<ReturnType<typeof openIdx>>;
  try {
    labels = await openIdx(labelsPath, 'labels');
  } catch (error) {
    await images.handle.close();
    throw error;
  }
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    await Promise.all([images.handle.close(), labels.handle.close()]);
    throw new FormatError(
      labelsPath,
      4,
      `${labels.shape[0]} labels for ${count} images in ${imagesPath}; the counts must match`,
    );
  }
  const size = height * width;
  return {
    count,
    height,
    width,
    channels: 1,
    classes,
    files: [imagesPath, labelsPath],
    async read(indices) {
      checkIndices(indices, count);
      const [pixels, bytes] = await Promise.all([
        readRecords(images.handle, imagesPath, images.headerSize, size, indices),
        readRecords(labels.handle, labelsPath, labels.headerSize, 1, indices),
      ]);
      const bad = bytes.findIndex((label) => label >= classes);
      if (bad >= 0) {
        const index = indices[bad] as number;
        throw new FormatError(
          labelsPath,
          labels.headerSize + index,
          `label ${bytes[bad]} of example ${index} is not a class 0–${classes - 1}`,
        );
      }
      return { images: pixels, labels: bytes };
    },
    async close() {
      await Promise.all([images.handle.close(), labels.handle.close()]);
    },
  };
}

/**
 * Node only: CIFAR binary files (e.g. `data_batch_1.bin … data_batch_5.bin`)
 * as one `DatasetSource` that reads records by offset and converts them to
 * NHWC as they are read. Each file's size must be a whole number of records;
 * a missing file is a `FormatError` that says what a CIFAR folder holds.
 *
 * @example
 * const files = [1, 2, 3, 4, 5].map((k) => join(dir, `data_batch_${k}.bin`));
 * const source = await openCifarSource(files, 'cifar10'); // 50,000 examples, nothing read yet
 * await source.close();
 */
export async function openCifarSource(
  files: string | readonly string[],
  variant: CifarVariant = 'cifar10',
): Promise<FileSource> {
  const paths = typeof files === 'string' ? [files] : [...files];
  const { record, classes } = cifarLayout(variant);
  if (paths.length === 0) throw new RangeError('openCifarSource needs at least one file, got none');
  const parts: { file: string; handle: FileHandle; first: number; count: number }[] = [];
  let count = 0;
  try {
    for (const file of paths) {
      const handle = await open(file, 'r').catch((error: { code?: string }) => {
        throw error.code === 'ENOENT' ? missingCifarFile(file, variant) : error;
      });
      const part = { file, handle, first: count, count: 0 };
      parts.push(part);
      const { size } = await part.handle.stat();
      const problem = cifarSizeProblem(size, variant);
      if (problem) throw new FormatError(file, Math.floor(size / record) * record, problem);
      part.count = size / record;
      count += part.count;
    }
  } catch (error) {
    await Promise.all(parts.map((p) => p.handle.close()));
    throw error;
  }
  return {
    count,
    height: 32,
    width: 32,
    channels: 3,
    classes,
    files: paths,
    async read(indices) {
      checkIndices(indices, count);
      const images = new Uint8Array(indices.length * 32 * 32 * 3);
      const labels = new Uint8Array(indices.length);
      await Promise.all(
        parts.map(async (part) => {
          // The positions (in `indices`) of this file's examples, and their record numbers in it.
          const positions: number[] = [];
          for (let i = 0; i < indices.length; i++) {
            const index = indices[i] as number;
            if (index >= part.first && index < part.first + part.count) positions.push(i);
          }
          if (positions.length === 0) return;
          const local = positions.map((i) => (indices[i] as number) - part.first);
          const bytes = await readRecords(part.handle, part.file, 0, record, local);
          positions.forEach((position, k) => {
            const n = local[k] as number;
            labels[position] = decodeCifarRecord(bytes, k * record, images, position, variant, {
              file: part.file,
              offset: n * record,
              record: n,
            });
          });
        }),
      );
      return { images, labels };
    },
    async close() {
      await Promise.all(parts.map((p) => p.handle.close()));
    },
  };
}
