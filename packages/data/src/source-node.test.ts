import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { initBackend } from '@convkit/backend';
import { mulberry32 } from '@convkit/shape';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Batch, batches, subset } from './batches.js';
import { concatDatasets, parseCifar } from './cifar.js';
import { FormatError } from './errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { loadIdxPair } from './mnist.js';
import { openCifarSource, openIdxSource } from './source-node.js';
import { streamBatches } from './stream.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const dir = () => mkdtempSync(join(tmpdir(), 'convkit-source-'));

/** An IDX pair of `count` random 4×3 images and labels i % 10, written to a new folder. */
function idxPair(count: number) {
  const random = mulberry32(count);
  const images = Uint8Array.from({ length: count * 12 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const folder = dir();
  const paths = { images: join(folder, 'images-idx3-ubyte'), labels: join(folder, 'labels-idx1-ubyte') };
  writeFileSync(paths.images, encodeIdx(images, [count, 4, 3]));
  writeFileSync(paths.labels, encodeIdx(labels, [count]));
  return paths;
}

/** One CIFAR record: label byte(s), then three planes, pixel p of plane c = (p + 7c + seed) % 256. */
function record(labels: number[], seed: number): number[] {
  return [...labels, ...[0, 1, 2].flatMap((c) => Array.from({ length: 1024 }, (_, p) => (p + 7 * c + seed) % 256))];
}

async function plain(b: Batch) {
  const out = { x: Array.from(await b.x.data()), y: Array.from(await b.y.data()), indices: Array.from(b.indices) };
  b.x.dispose();
  b.y.dispose();
  return out;
}

describe('openIdxSource', () => {
  it('reads the examples at any indices by offset, as the in-memory loader holds them', async () => {
    const paths = idxPair(30);
    const memory = loadIdxPair(paths.images, paths.labels);
    const source = await openIdxSource(paths.images, paths.labels);
    expect(source).toMatchObject({ count: 30, height: 4, width: 3, channels: 1, classes: 10 });
    for (const indices of [
      [7, 0, 29, 8, 9, 10, 3],
      [0, 1, 2, 3],
      [5, 5],
    ]) {
      const got = await source.read(indices);
      const want = subset(memory, indices);
      expect(Array.from(got.images)).toEqual(Array.from(want.images));
      expect(Array.from(got.labels)).toEqual(Array.from(want.labels));
    }
    await expect(source.read([30])).rejects.toThrow(RangeError);
    await source.close();
  });

  it('streams the same batches as `batches` over the loaded file', async () => {
    const paths = idxPair(17);
    const source = await openIdxSource(paths.images, paths.labels);
    const options = {
      batchSize: 5,
      seed: 2,
      augment: { randomCrop: { size: [3, 3] as [number, number], padding: 1 } },
    };
    const streamed = [];
    for await (const b of streamBatches(source, { ...options, prefetch: 2 })) streamed.push(await plain(b));
    const expected = await Promise.all([...batches(loadIdxPair(paths.images, paths.labels), options)].map(plain));
    expect(streamed).toEqual(expected);
    await source.close();
  });

  it('refuses gzip with a way out', async () => {
    const paths = idxPair(3);
    const gz = `${paths.images}.gz`;
    writeFileSync(gz, gzipSync(encodeIdx(new Uint8Array(36), [3, 4, 3])));
    await expect(openIdxSource(gz, paths.labels)).rejects.toThrow(FormatError);
    await expect(openIdxSource(gz, paths.labels)).rejects.toThrow(/gunzip the file first .*readIdx/);
  });

  it('validates headers against the file size, with the same messages as parseIdx, before allocating', async () => {
    const paths = idxPair(3);
    // A header promising 10⁹ images of 28×28 on a 40-byte file.
    const huge = encodeIdx(new Uint8Array(24), [1, 4, 6]);
    new DataView(huge.buffer).setUint32(4, 1e9);
    new DataView(huge.buffer).setUint32(8, 28);
    new DataView(huge.buffer).setUint32(12, 28);
    writeFileSync(paths.images, huge);
    let message = '';
    try {
      parseIdx(huge, paths.images);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('truncated: the header says [1000000000, 28, 28]');
    await expect(openIdxSource(paths.images, paths.labels)).rejects.toThrow(message);
  });

  it('names the file for swapped files, mismatched counts and labels out of range', async () => {
    const paths = idxPair(4);
    await expect(openIdxSource(paths.labels, paths.images)).rejects.toThrow(
      `${paths.labels} at byte 0: holds labels, expected images`,
    );
    writeFileSync(paths.labels, encodeIdx(Uint8Array.of(1, 2, 3), [3]));
    await expect(openIdxSource(paths.images, paths.labels)).rejects.toThrow(`3 labels for 4 images in ${paths.images}`);
    writeFileSync(paths.labels, encodeIdx(Uint8Array.of(1, 2, 12, 3), [4]));
    const source = await openIdxSource(paths.images, paths.labels);
    await expect(source.read([0, 1])).resolves.toBeDefined();
    await expect(source.read([3, 2])).rejects.toThrow(
      `${paths.labels} at byte 10: label 12 of example 2 is not a class 0–9`,
    );
    await source.close();
  });
});

describe('openCifarSource', () => {
  it('reads records across files as parseCifar and concatDatasets give them', async () => {
    const folder = dir();
    const files = [join(folder, 'data_batch_1.bin'), join(folder, 'data_batch_2.bin')];
    const contents = [
      Uint8Array.from([...record([3], 0), ...record([9], 5)]),
      Uint8Array.from([...record([1], 11), ...record([0], 2), ...record([7], 4)]),
    ];
    files.forEach((f, i) => {
      writeFileSync(f, contents[i] as Uint8Array);
    });
    const source = await openCifarSource(files);
    expect(source).toMatchObject({ count: 5, height: 32, width: 32, channels: 3, classes: 10 });
    const memory = concatDatasets(files.map((f, i) => parseCifar(contents[i] as Uint8Array, f)));
    const indices = [4, 1, 2, 0, 3];
    const got = await source.read(indices);
    const want = subset(memory, indices);
    expect(Array.from(got.labels)).toEqual([7, 9, 1, 3, 0]);
    expect(Array.from(got.images)).toEqual(Array.from(want.images));
    await source.close();
  });

  it('reads CIFAR-100 fine labels, and names the file and offset of a bad size or label', async () => {
    const folder = dir();
    const file = join(folder, 'train.bin');
    writeFileSync(file, Uint8Array.from([...record([4, 44], 0), ...record([19, 150], 0)]));
    const source = await openCifarSource(file, 'cifar100-fine');
    expect((await source.read([0])).labels[0]).toBe(44);
    await expect(source.read([1])).rejects.toThrow(
      `${file} at byte 3075: record 1 has label 150, outside 0–99 for cifar100-fine`,
    );
    await source.close();
    await expect(openCifarSource(file)).rejects.toThrow(
      `${file} at byte 6146: 6148 bytes is not a whole number of 3073-byte CIFAR-10 records (2 left over)`,
    );
  });

  it('a missing file is a FormatError naming it and the CIFAR layout, not a raw ENOENT', async () => {
    const folder = dir();
    const file = join(folder, 'data_batch_9.bin');
    await expect(openCifarSource(file)).rejects.toThrow(FormatError);
    await expect(openCifarSource(file)).rejects.toThrow(/has no data_batch_9\.bin.*3073-byte records/);
  });
});
