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
