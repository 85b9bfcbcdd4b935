import { initBackend } from '@convkit/backend';
import { mulberry32 } from '@convkit/shape';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Batch, type BatchOptions, batches } from './batches.js';
import { colorBasis } from './color-basis.js';
import type { ImageDataset } from './dataset.js';
import { asSource, type DatasetSource, streamBatches } from './stream.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** `count` random RGB images of 5×6, labels i % 4. */
function rgbData(count: number, seed = 1): ImageDataset {
  const random = mulberry32(seed);
  return {
    images: Uint8Array.from({ length: count * 5 * 6 * 3 }, () => Math.floor(random() * 256)),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 4),
    count,
    height: 5,
    width: 6,
    channels: 3,
    classes: 4,
  };
}

/** A batch's values as plain arrays; disposes its tensors. */
async function plain(b: Batch) {
  const out = {
    x: Array.from(await b.x.data()),
    shape: b.x.shape,
    y: Array.from(await b.y.data()),
    indices: Array.from(b.indices),
  };
  b.x.dispose();
  b.y.dispose();
  return out;
}

async function collect(stream: AsyncIterable<Batch>) {
  const out = [];
  for await (const b of stream) out.push(await plain(b));
  return out;
}

/** A source that records its reads and how many batches the consumer has had at each. */
function watched(dataset: ImageDataset) {
  const inner = asSource(dataset);
  const log: { indices: number[]; consumed: number }[] = [];
  let consumed = 0;
  const source: DatasetSource = {
    ...inner,
    read(indices) {
      log.push({ indices: Array.from(indices), consumed });
      return inner.read(indices);
    },
  };
  return { source, log, consumed: () => consumed++ };
}

describe('streamBatches', () => {
  it('yields exactly the batches `batches` gives for the same options', async () => {
    const data = rgbData(23);
    const basis = colorBasis(data);
    const cases: BatchOptions[] = [
      { batchSize: 5, shuffle: false },
      { batchSize: 4, seed: 7 },
      { batchSize: 23, seed: 1, normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } },
      {
        batchSize: 6,
        seed: 3,
        normalize: { mean: 0.5, std: 0.25 },
        augment: {
          resize: [8, 8],
          randomCrop: { size: [6, 6], padding: 2 },
          flip: true,
          colorNoise: { std: 0.1, basis },
        },
      },
      { batchSize: 7, seed: 9, augment: { centerCrop: [3, 3] } },
    ];
    for (const options of cases) {
      const expected = await Promise.all([...batches(data, options)].map(plain));
      for (const prefetch of [0, 1, 3]) {
        expect(await collect(streamBatches(asSource(data), { ...options, prefetch }))).toEqual(expected);
      }
      expect(await collect(streamBatches(data, options))).toEqual(expected);
    }
  });

  it('reads one batch at a time plus `prefetch` ahead, in the batch order', async () => {
    for (const prefetch of [0, 1, 2]) {
      const { source, log, consumed } = watched(rgbData(10));
      const order: number[] = [];
      for await (const b of streamBatches(source, { batchSize: 3, seed: 5, prefetch })) {
        order.push(...b.indices);
        b.x.dispose();
        b.y.dispose();
        consumed();
      }
      // Four batches (3, 3, 3, 1); batch k is read once k − prefetch batches have been consumed.
      expect(log.map((r) => r.consumed)).toEqual([0, 1, 2, 3].map((k) => Math.max(0, k - prefetch)));
      expect(log.flatMap((r) => r.indices)).toEqual(order);
    }
  });

  it('stops reading when the consumer stops, and a failing read ahead is not an unhandled rejection', async () => {
    const data = rgbData(12);
    let reads = 0;
    const source: DatasetSource = {
      ...asSource(data),
      read(indices) {
        reads++;
        return reads === 1 ? asSource(data).read(indices) : Promise.reject(new Error('disk on fire'));
      },
    };
    for await (const b of streamBatches(source, { batchSize: 4, prefetch: 1 })) {
      b.x.dispose();
      b.y.dispose();
      break;
    }
    expect(reads).toBe(2);
    await expect(collect(streamBatches(source, { batchSize: 4 }))).rejects.toThrow('disk on fire');
  });

  it('leaks no tensors', async () => {
    const before = memory().numTensors;
    for await (const b of streamBatches(rgbData(9), { batchSize: 2, augment: { flip: true } })) {
      b.x.dispose();
      b.y.dispose();
    }
    expect(memory().numTensors).toBe(before);
  });

  it('checks what a source returns, and its own options', async () => {
    const source: DatasetSource = {
      ...asSource(rgbData(4)),
      read: async () => ({ images: new Uint8Array(3), labels: new Uint8Array(4) }),
    };
    await expect(collect(streamBatches(source, { batchSize: 4 }))).rejects.toThrow(
      'source.read of 4 examples returned 3 image bytes and 4 labels; expected 360 and 4',
    );
    await expect(collect(streamBatches(rgbData(4), { prefetch: -1 }))).rejects.toThrow(
      'prefetch must be a non-negative integer, got -1',
    );
  });
});

describe('asSource', () => {
  it('reads copies of the examples at the indices, in that order', async () => {
    const data = rgbData(5);
    const { images, labels } = await asSource(data).read([3, 0, 3]);
    expect(Array.from(labels)).toEqual([3, 0, 3]);
    expect(Array.from(images.subarray(0, 90))).toEqual(Array.from(data.images.subarray(270, 360)));
    expect(Array.from(images.subarray(90, 180))).toEqual(Array.from(data.images.subarray(0, 90)));
    images[0] = (images[0] as number) ^ 1;
    expect(images[0]).not.toBe(data.images[270]);
    await expect(asSource(data).read([5])).rejects.toThrow('index 5 (position 0) is outside 0…4');
    expect(asSource(data).classNames).toBeUndefined();
    expect(asSource({ ...data, classNames: ['a', 'b', 'c', 'd'] } as ImageDataset).classNames).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
  });
});
