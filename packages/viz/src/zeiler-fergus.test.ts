import { initBackend } from '@convkit/backend';
import { ConfigError, Conv2d, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BAR_KERNEL, plantedDataset } from '../test/planted.js';
import { pixelAt, type RgbaImage } from './image.js';
import { zeilerFergus } from './zeiler-fergus.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const SIZE = 12;
// Nine of twelve noise images hold the bright vertical bar, each somewhere else.
const PLANTS = Array.from({ length: 9 }, (_, i) => ({ example: i + 2, row: i % 7, col: (3 * i) % 8, value: 255 }));

/** Three 3×3 detectors: unit 1 the bar's matched filter, units 0 and 2 the same shape at a tenth of the gain. */
function model() {
  const m = sequential([
    new Conv2d({ name: 'conv', filters: 3, kernel: 3, activation: 'relu' }),
    new MaxPool2d({ name: 'pool', kernel: 2 }),
  ]);
  m.build([SIZE, SIZE, 1], { seed: 1 });
  const kernel = BAR_KERNEL.flatMap((w) => [0.1 * w, w, 0.1 * w]); // HWIO [3, 3, 1, 3]
  tf.tidy(() => m.setWeights({ 'conv/kernel': tf.tensor4d(kernel, [3, 3, 1, 3]), 'conv/bias': tf.zeros([3]) }));
  return m;
}

/** The gray value of each pixel of a cell drawn at `scale`. */
function grays(image: RgbaImage, x0: number, y0: number, size: number, scale: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) out.push(pixelAt(image, x0 + x * scale, y0 + y * scale)[0]);
  return out;
}

describe('zeilerFergus', () => {
  it("picks the strongest unit, finds the planted bar in each of its patches and projects the unit's filter in place", async () => {
    const m = model();
    const before = tf.memory().numTensors;
    const data = plantedDataset(12, SIZE, PLANTS);
    const zf = await zeilerFergus(m, data, { layer: 'conv', count: 2, scale: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(zf.units.map((u) => u.unit)[0]).toBe(1);
    expect(zf.units).toHaveLength(2);
    expect(zf.note).toBe('the 2 of 3 units with the strongest activation over 12 examples, top 9 each');
    const [bar] = zf.units;
    expect(new Set(bar?.hits.map((h) => h.example))).toEqual(new Set(PLANTS.map((p) => p.example)));
    for (const hit of bar?.hits ?? []) {
      // The 3×3 field of conv is the planted window: bright middle column, cleared sides.
      expect(grays(hit.patch, 0, 0, 3, 1)).toEqual([0, 255, 0, 0, 255, 0, 0, 255, 0]);
      // The projection of a single conv unit is its filter, scaled: mid gray + the bar's signs.
      const projected = grays(hit.projection, 0, 0, 3, 1);
      expect(projected.every((v, i) => (i % 3 === 1 ? v === 255 : v < 128))).toBe(true);
    }
    m.dispose();
  });

  it('lays out each unit as its 3×3 projections beside its 3×3 patches, two units to a row', async () => {
    const m = model();
    const zf = await zeilerFergus(m, plantedDataset(12, SIZE, PLANTS), { layer: 'conv', units: [1, 0, 2], scale: 2 });
    // A cell is the 3×3 field at scale 2 (6 px); a block 3 cells + 4 one-pixel gaps = 22 px; a unit 22 + 4 + 22.
    const unitWidth = 22 + 4 + 22;
    expect(zf.image.width).toBe(8 + 2 * (unitWidth + 8));
    expect(zf.image.height).toBe(8 + 2 * (22 + 8));
    expect(zf.units.map((u) => u.unit)).toEqual([1, 0, 2]);
    expect(zf.units[0]?.projections).toEqual({ x: 8, y: 8, width: 22, height: 22 });
    expect(zf.units[0]?.patches).toEqual({ x: 8 + 22 + 4, y: 8, width: 22, height: 22 });
    expect(zf.units[2]?.projections).toEqual({ x: 8, y: 8 + 22 + 8, width: 22, height: 22 });
    // The first patch drawn is the first hit's patch, pixel for pixel.
    const { patches, hits } = zf.units[0] as NonNullable<(typeof zf.units)[0]>;
    expect(grays(zf.image, patches.x + 1, patches.y + 1, 3, 2)).toEqual(grays(hits[0]?.patch as RgbaImage, 0, 0, 3, 1));
    m.dispose();
  });

  it('projects through a max pool: a pool unit sees a 4×4 field holding the bar', async () => {
    const m = model();
    const zf = await zeilerFergus(m, plantedDataset(12, SIZE, PLANTS), { layer: 'pool', units: [1], k: 4 });
    expect(zf.field?.size).toEqual([4, 4]);
    for (const hit of zf.units[0]?.hits ?? []) {
      expect(hit.projection.width).toBe(4);
      const bright = grays(hit.projection, 0, 0, 4, 1).filter((v) => v === 255).length;
      expect(bright).toBeGreaterThanOrEqual(3); // the bar's three pixels, wherever the switch put it
    }
    m.dispose();
  });

  it('refuses a channel the layer does not have, naming it', async () => {
    const m = model();
    await expect(zeilerFergus(m, plantedDataset(2, SIZE, []), { layer: 'conv', units: [5] })).rejects.toThrow(
      ConfigError,
    );
    await expect(zeilerFergus(m, plantedDataset(2, SIZE, []), { layer: 'conv', units: [5] })).rejects.toThrow(
      /received \[5\]/,
    );
    m.dispose();
  });
});
