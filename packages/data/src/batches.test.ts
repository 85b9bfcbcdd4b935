import { initBackend } from '@convkit/backend';
import { memory } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { batches, shuffledIndices, trainValidationSplit } from './batches.js';
import type { ImageDataset } from './dataset.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** 10 images of 2×3 pixels; image i is filled with 20·i, label i % 10 — easy to trace. */
function tiny(count = 10): ImageDataset {
  const images = new Uint8Array(count * 6);
  for (let i = 0; i < count; i++) images.fill((20 * i) % 256, i * 6, (i + 1) * 6);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels, count, height: 2, width: 3, channels: 1, classes: 10 };
}

describe('batches', () => {
  it('shapes: [b, h, w, 1] float32 in [0, 1] and one-hot [b, 10]; last partial batch included', async () => {
    const data = tiny();
    const all = [...batches(data, { batchSize: 4, shuffle: false })];
    expect(all.map((b) => b.x.shape)).toEqual([
      [4, 2, 3, 1],
      [4, 2, 3, 1],
      [2, 2, 3, 1],
    ]);
    expect(all.map((b) => b.y.shape)).toEqual([
      [4, 10],
      [4, 10],
      [2, 10],
    ]);
    const first = all[0];
    if (!first) throw new Error('no batch');
    expect(first.x.dtype).toBe('float32');
    const x = await first.x.data();
    expect(x[6]).toBeCloseTo(20 / 255);
    expect(Math.max(...x)).toBeLessThanOrEqual(1);
    const y = await first.y.array();
    expect(y[3]).toEqual([0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    for (const b of all) {
      b.x.dispose();
      b.y.dispose();
    }
  });

  it('mean/std normalization', async () => {
    const [b] = [...batches(tiny(), { batchSize: 10, shuffle: false, normalize: { mean: 0.5, std: 0.25 } })];
    if (!b) throw new Error('no batch');
    const x = await b.x.data();
    expect(x[0]).toBeCloseTo(-2);
    expect(x[6 * 9]).toBeCloseTo((180 / 255 - 0.5) / 0.25);
    b.x.dispose();
    b.y.dispose();
  });

  it('the same seed gives the same order; another seed another one', () => {
    const order = (seed: number) =>
      [...batches(tiny(100), { batchSize: 7, seed })].flatMap((b) => {
        b.x.dispose();
        b.y.dispose();
        return Array.from(b.indices);
      });
    expect(order(42)).toEqual(order(42));
    expect(order(42)).not.toEqual(order(43));
    expect(order(42)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(shuffledIndices(5, 1))).toEqual(Array.from(shuffledIndices(5, 1)));
  });

  it('every example exactly once per epoch, and the labels travel with their images', async () => {
    const data = tiny(50);
    const seen: number[] = [];
    for (const b of batches(data, { batchSize: 8, seed: 3 })) {
      const x = await b.x.data();
      const y = (await b.y.argMax(1).data()) as Int32Array;
      b.indices.forEach((index, row) => {
        expect(Math.round((x[row * 6] as number) * 255)).toBe((20 * index) % 256);
        expect(y[row]).toBe(index % 10);
      });
      seen.push(...b.indices);
      b.x.dispose();
      b.y.dispose();
    }
    expect(seen.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('leaks no tensors: numTensors is flat after disposing each batch', () => {
    const before = memory().numTensors;
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const b of batches(tiny(33), { batchSize: 5, seed: epoch })) {
        b.x.dispose();
        b.y.dispose();
      }
      expect(memory().numTensors).toBe(before);
    }
    // Stopping early leaves nothing behind either: a batch's tensors exist only once reached.
    for (const b of batches(tiny(33), { batchSize: 5 })) {
      b.x.dispose();
      b.y.dispose();
      break;
    }
    expect(memory().numTensors).toBe(before);
  });

  it('per-channel mean/std on the 0–1 scale (hand-computed)', async () => {
    // One 1×1 image with two channels, bytes (51, 204) = (0.2, 0.8) on the 0–1 scale.
    const data: ImageDataset = {
      images: Uint8Array.of(51, 204),
      labels: Uint8Array.of(0),
      count: 1,
      height: 1,
      width: 1,
      channels: 2,
      classes: 1,
    };
    const [b] = [...batches(data, { normalize: { mean: [0.5, 0.4], std: [0.1, 0.2] } })];
    if (!b) throw new Error('no batch');
    const x = await b.x.data();
    expect(x[0]).toBeCloseTo((0.2 - 0.5) / 0.1, 5); // −3
    expect(x[1]).toBeCloseTo((0.8 - 0.4) / 0.2, 5); // 2
    b.x.dispose();
    b.y.dispose();
    expect(() => batches(data, { normalize: { mean: [0.5, 0.4, 0.3], std: 1 } }).next()).toThrow(
      'normalize.mean has 3 values [0.5, 0.4, 0.3] for 2-channel images: give one number or 2',
    );
    expect(() => batches(data, { normalize: { mean: 0, std: [1, 0] } }).next()).toThrow(
      'normalize.std must be > 0, got [1,0]',
    );
  });

  it('augment: x follows augmentedShape, the same seed gives the same values, another seed others', async () => {
    const data = tiny(20);
    const options = { batchSize: 8, augment: { randomCrop: { size: [2, 2] as [number, number], padding: 1 } } };
    const values = async (seed: number) => {
      const out: number[][] = [];
      for (const b of batches(data, { ...options, seed })) {
        expect(b.x.shape.slice(1)).toEqual([2, 2, 1]);
        out.push(Array.from(await b.x.data()));
        b.x.dispose();
        b.y.dispose();
      }
      return out;
    };
    expect(await values(4)).toEqual(await values(4));
    expect(await values(4)).not.toEqual(await values(5));
  });

  it('augment: a flip gives each example as it is or mirrored, and both happen', async () => {
    // Image i is 1×3 with bytes (i, i + 50, i + 100), so a mirror is visible.
    const count = 40;
    const images = Uint8Array.from({ length: count * 3 }, (_, k) => Math.floor(k / 3) + (k % 3) * 50);
    const data: ImageDataset = {
      images,
      labels: new Uint8Array(count),
      count,
      height: 1,
      width: 3,
      channels: 1,
      classes: 1,
    };
    let flipped = 0;
    for (const b of batches(data, { batchSize: 16, seed: 2, augment: { flip: true } })) {
      const x = await b.x.data();
      b.indices.forEach((index, row) => {
        const got = Array.from(x.subarray(row * 3, row * 3 + 3), (v) => Math.round(v * 255));
        const plain = [index, index + 50, index + 100];
        if (got[0] === plain[0]) expect(got).toEqual(plain);
        else {
          expect(got).toEqual(plain.slice().reverse());
          flipped++;
        }
      });
      b.x.dispose();
      b.y.dispose();
    }
    expect(flipped).toBeGreaterThan(5);
    expect(flipped).toBeLessThan(35);
  });

  it('rejects augment options that do not fit the dataset before making a batch', () => {
    expect(() => batches(tiny(), { augment: { centerCrop: [3, 3] } }).next()).toThrow(
      'augment.centerCrop [3, 3] is larger than the 2×3 image it crops',
    );
  });

  it('rejects a bad batch size', () => {
    expect(() => batches(tiny(), { batchSize: 0 }).next()).toThrow(/batchSize/);
  });
});

describe('trainValidationSplit', () => {
  it('is seeded, disjoint and covers every example', () => {
    const data = tiny(100);
    const { train, validation } = trainValidationSplit(data, 0.2, 7);
    expect(train.count).toBe(80);
    expect(validation.count).toBe(20);
    expect(train.images.length).toBe(80 * 6);
    const ids = (d: ImageDataset) => Array.from({ length: d.count }, (_, i) => (d.images[i * 6] as number) / 20);
    const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => ((20 * i) % 256) / 20).sort((a, b) => a - b));
    expect(ids(trainValidationSplit(data, 0.2, 7).validation)).toEqual(ids(validation));
    expect(ids(trainValidationSplit(data, 0.2, 8).validation)).not.toEqual(ids(validation));
  });

  it('rejects fractions outside [0, 1)', () => {
    expect(() => trainValidationSplit(tiny(), 1)).toThrow(RangeError);
  });
});
