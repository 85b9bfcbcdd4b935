import { initBackend } from '@convkit/backend';
import type { ImageDataset } from '@convkit/data/browser';
import * as viz from '@convkit/viz';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelMaps, editedMap, filterImages, filterWeights, unitViews } from './unit-views.js';

const model = getModel('lenet5-modern');

beforeAll(async () => {
  await initBackend('cpu');
  model.build([28, 28, 1], { seed: 3 });
});

/** Digits of random strokes, reproducible (mulberry-free LCG is enough for test pictures). */
function digits(count: number): ImageDataset {
  const images = new Uint8Array(count * 784);
  let s = 7;
  for (let i = 0; i < images.length; i++) {
    s = (s * 16807) % 2147483647;
    images[i] = s % 3 === 0 ? 255 : 0;
  }
  return { count, height: 28, width: 28, channels: 1, images, labels: new Uint8Array(count) } as ImageDataset;
}

describe('a unit of LeNet-5', () => {
  const test = digits(12);
  const x = () => tf.div(tf.tensor4d(Float32Array.from(test.images.subarray(0, 784)), [1, 28, 28, 1]), 255);

  it('recomputes conv1 from its own weights exactly as the layer does, and an edit changes the map', async () => {
    const input = x();
    const before = tf.memory().numTensors;
    const layer = viz.activationAt(model, input, 'conv1');
    const all = await layer.data();
    layer.dispose();
    for (const f of [0, 4]) {
      const weights = await filterWeights(model, f);
      expect(weights).toHaveLength(25);
      const { values } = await editedMap(model, input, weights, f, [0, 1]);
      const own = Array.from({ length: 784 }, (_, i) => all[i * 6 + f] as number);
      for (let i = 0; i < 784; i++) expect(values[i]).toBeCloseTo(own[i] as number, 5);
      const edited = [...weights];
      edited[12] = (edited[12] as number) + 2; // the centre weight
      const changed = await editedMap(model, input, edited, f, [0, 1]);
      // An inked pixel (x = 1) under the centre raises the pre-activation by 2: positive outputs there grow by 2.
      for (let i = 0; i < 784; i++)
        if (test.images[i] === 255 && (own[i] as number) > 0)
          expect(changed.values[i]).toBeCloseTo((own[i] as number) + 2, 4);
    }
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });

  it('draws one map per channel and the three views of a unit', async () => {
    const input = x();
    const before = tf.memory().numTensors;
    const conv1 = await channelMaps(model, input, 'conv1', 3);
    expect(conv1.images).toHaveLength(6);
    expect([conv1.images[0]?.width, conv1.images[0]?.height]).toEqual([84, 84]);
    const filters = await filterImages(model, 8);
    expect(filters.map((f) => [f.width, f.height])).toEqual(Array.from({ length: 6 }, () => [40, 40]));
    const conv2 = await channelMaps(model, input, 'conv2', 3);
    expect(conv2.images).toHaveLength(16);
    const views = await unitViews(model, input, test, { layer: 'conv2', channel: 5 }, 10);
    expect(views.searched).toBe(10);
    expect([views.map.width, views.map.height]).toEqual([120, 120]);
    expect([views.projection.width, views.projection.height]).toEqual([168, 168]);
    expect(views.patches.width).toBeGreaterThan(9 * 14 * 3);
    expect(tf.memory().numTensors).toBe(before);
    input.dispose();
  });

  it('names a filter of the wrong size', async () => {
    const input = x();
    await expect(editedMap(model, input, [1, 2, 3], 0, [0, 1])).rejects.toThrow(/25 weights, received 3/);
    input.dispose();
  });
});
