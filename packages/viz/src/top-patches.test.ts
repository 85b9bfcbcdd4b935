import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { barDetector, type Plant, plantedDataset } from '../test/planted.js';
import { fieldBox, topPatches } from './top-patches.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const SIZE = 12;
const PLANTS: Plant[] = [
  { example: 5, row: 2, col: 3, value: 255 },
  { example: 11, row: 6, col: 8, value: 220 },
  { example: 17, row: 4, col: 1, value: 190 },
  { example: 20, row: 0, col: 0, value: 90 }, // a faint decoy: fourth
];
const data = plantedDataset(24, SIZE, PLANTS);

describe('topPatches on a planted pattern', () => {
  it('finds the planted examples at the positions of the pattern, strongest first', async () => {
    const model = barDetector(SIZE);
    const top = await topPatches(model, data, { layer: 'detector', units: [0], k: 3, batchSize: 5 });
    expect(top.field).toEqual({ size: [3, 3], jump: [1, 1], start: [1, 1] });
    const hits = top.units[0]?.hits ?? [];
    expect(hits.map((h) => [h.example, h.y, h.x])).toEqual([
      [5, 2, 3],
      [11, 6, 8],
      [17, 4, 1],
    ]);
    expect(hits.map((h) => h.value)).toEqual([3, (3 * 220) / 255, (3 * 190) / 255].map((v) => expect.closeTo(v, 5)));
    // The valid 3×3 convolution's unit (y, x) sees rows y … y + 2: exactly the planted window.
    expect(hits.map((h) => h.box)).toEqual(
      PLANTS.slice(0, 3).map((p) => ({ top: p.row, left: p.col, height: 3, width: 3 })),
    );
    // The patch is the bar: bright middle column, zeros beside it.
    expect([...(hits[0]?.patch.data ?? [])].filter((_, i) => i % 4 === 0)).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0]);
    model.dispose();
  });

  it('after a stride-2 pool, crops the pool unit’s 4×4 field (jump 2) around the pattern', async () => {
    const model = barDetector(SIZE, { pool: true });
    const top = await topPatches(model, data, { layer: 'pool', units: [0], k: 3 });
    expect(top.field).toEqual({ size: [4, 4], jump: [2, 2], start: [1.5, 1.5] });
    const hits = top.units[0]?.hits ?? [];
    expect(hits.map((h) => [h.example, h.y, h.x])).toEqual([
      [5, 1, 1],
      [11, 3, 4],
      [17, 2, 0],
    ]);
    expect(hits.map((h) => h.box)).toEqual([
      { top: 2, left: 2, height: 4, width: 4 },
      { top: 6, left: 8, height: 4, width: 4 },
      { top: 4, left: 0, height: 4, width: 4 },
    ]);
    // Each field contains the whole bar: column col + 1, rows row … row + 2.
    hits.forEach((hit, i) => {
      const plant = PLANTS[i] as Plant;
      for (let dy = 0; dy < 3; dy++) {
        const y = plant.row + dy - hit.box.top;
        const x = plant.col + 1 - hit.box.left;
        expect(hit.patch.data[4 * (y * hit.box.width + x)]).toBe(plant.value);
      }
    });
    // A row per unit, k cells of the field's size, scale 2, spacing 2.
    expect([top.image.width, top.image.height]).toEqual([3 * (8 + 2) + 2, 8 + 4]);
    model.dispose();
  });

  it('clips the field at the border (same padding reaches outside the image)', async () => {
    const corner = plantedDataset(3, 8, [{ example: 2, row: 0, col: -1, value: 255 }]);
    const model = barDetector(8, { padding: 'same' });
    const top = await topPatches(model, corner, { layer: 'detector', units: [0], k: 1 });
    const hit = top.units[0]?.hits[0];
    expect([hit?.example, hit?.y, hit?.x]).toEqual([2, 1, 0]);
    expect(hit?.box).toEqual({ top: 0, left: 0, height: 3, width: 2 });
    expect(fieldBox(top.field, 1, 0, 8, 8).full).toEqual({ top: 0, left: -1, height: 3, width: 3 });
    model.dispose();
  });

  it('does not depend on the batch size and leaks no tensor', async () => {
    const model = barDetector(SIZE, { pool: true });
    const before = tf.memory().numTensors;
    const a = await topPatches(model, data, { layer: 'pool', units: [0], k: 4, batchSize: 1 });
    const b = await topPatches(model, data, { layer: 'pool', units: [0], k: 4, batchSize: 100 });
    expect(tf.memory().numTensors).toBe(before);
    expect(b.units).toEqual(a.units);
    expect(a.units[0]?.hits[3]?.example).toBe(20);
    model.dispose();
  });

  it('explains bad options, naming the layer', async () => {
    const model = barDetector(SIZE);
    await expect(topPatches(model, data, { layer: 'conv9', units: [0] })).rejects.toThrow(
      /no layer named "conv9" in toy: the layers are toy, detector/,
    );
    await expect(topPatches(model, data, { layer: 'detector', units: [1] })).rejects.toThrow(
      /topPatches\(detector\): units must be channels 0 … 0 of detector \(output \[10, 10, 1\]\), received \[1\]/,
    );
    await expect(
      topPatches(model, { ...data, images: new Uint8Array(10) }, { layer: 'detector', units: [0] }),
    ).rejects.toThrow(/needs 24×12×12×1 = 3456 image bytes \(NHWC\), received 10/);
    model.dispose();
  });
});
