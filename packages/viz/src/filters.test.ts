import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { filterGrid } from './filters.js';
import { pixelAt } from './image.js';
import { encodePng } from './png.js';

/** A 3×3 vertical edge detector (Prewitt-like), HWIO [3, 3, 1, 1]. */
const EDGE = { shape: [3, 3, 1, 1], data: [-1, 0, 1, -1, 0, 1, -1, 0, 1] };

/** The gray values of an image, one array per row. */
function grays(image: { width: number; height: number; data: Uint8ClampedArray }): number[][] {
  return Array.from({ length: image.height }, (_, y) =>
    Array.from({ length: image.width }, (_, x) => {
      const [r, g, b, a] = pixelAt(image as never, x, y);
      expect([g, b, a]).toEqual([r, r, 255]);
      return r;
    }),
  );
}

describe('filterGrid', () => {
  it('renders a 3×3 vertical edge filter to exact gray values (−1 → 0, 0 → 128, 1 → 255)', async () => {
    const { image, tiles, total } = await filterGrid(EDGE, { spacing: 0 });
    expect([image.width, image.height, total]).toEqual([3, 3, 1]);
    expect(grays(image)).toEqual([
      [0, 128, 255],
      [0, 128, 255],
      [0, 128, 255],
    ]);
    expect(tiles).toEqual([{ filter: 0, channel: 0, x: 0, y: 0, width: 3, height: 3 }]);
  });

  it('scales pixels to squares and puts spacing (white) around tiles; the PNG decodes to the same pixels', async () => {
    const { image } = await filterGrid(EDGE, { spacing: 1, scale: 2 });
    expect([image.width, image.height]).toEqual([8, 8]);
    const expectedRow = [255, 0, 0, 128, 128, 255, 255, 255];
    expect(grays(image)).toEqual([
      Array(8).fill(255),
      ...Array.from({ length: 6 }, () => expectedRow),
      Array(8).fill(255),
    ]);
    expect([...decode(encodePng(image)).data]).toEqual([...image.data]);
  });

  it('normalizes per filter by default, and over the whole kernel with global', async () => {
    // Two 1×2 filters: [0, 1] and [0, 4] (HWIO [1, 2, 1, 2]: data[(x·1 + 0)·2 + f]).
    const kernel = { shape: [1, 2, 1, 2], data: [0, 0, 1, 4] };
    const perFilter = grays((await filterGrid(kernel, { spacing: 0, columns: 2 })).image);
    expect(perFilter).toEqual([[0, 255, 0, 255]]);
    const global = await filterGrid(kernel, { spacing: 0, columns: 2, normalize: 'global' });
    expect(grays(global.image)).toEqual([[0, 64, 0, 255]]);
    expect(global.range).toEqual([0, 4]);
  });

  it('draws 3-input-channel filters as RGB tiles, one per filter', async () => {
    // One 1×1 filter reading R = 1, G = 0, B = −1 → red 255, green 128, blue 0.
    const { image, tiles } = await filterGrid({ shape: [1, 1, 3, 1], data: [1, 0, -1] }, { spacing: 0 });
    expect(tiles).toEqual([{ filter: 0, channel: 'rgb', x: 0, y: 0, width: 1, height: 1 }]);
    expect(pixelAt(image, 0, 0)).toEqual([255, 128, 0, 255]);
  });

  it('gives one tile per (filter, channel), a row per filter, or one per filter for a chosen channel', async () => {
    const kernel = { shape: [2, 2, 4, 3], data: Array.from({ length: 48 }, (_, i) => Math.sin(i)) };
    const all = await filterGrid(kernel);
    expect([all.tiles.length, all.columns, all.rows]).toEqual([12, 4, 3]);
    expect(all.tiles.slice(0, 5).map((t) => [t.filter, t.channel])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 0],
    ]);
    const one = await filterGrid(kernel, { channel: 2 });
    expect(one.tiles.map((t) => [t.filter, t.channel])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('samples beyond maxTiles, evenly, and says so', async () => {
    const kernel = { shape: [1, 1, 1, 100], data: Array.from({ length: 100 }, (_, i) => i) };
    const r = await filterGrid(kernel, { maxTiles: 5 });
    expect(r.tiles.map((t) => t.filter)).toEqual([0, 25, 50, 74, 99]);
    expect(r.total).toBe(100);
    expect(r.note).toMatch(/showing 5 of 100 tiles of the kernel \[1, 1, 1, 100\] \(HWIO\), evenly sampled/);
    expect((await filterGrid(kernel)).note).toBeUndefined();
  });

  it('maps signs with the diverging map symmetric around 0', async () => {
    const { image } = await filterGrid(
      { shape: [1, 3, 1, 1], data: [-2, 0, 1] },
      { spacing: 0, colormap: 'diverging' },
    );
    expect(pixelAt(image, 0, 0)).toEqual([5, 48, 97, 255]); // −2: darkest blue
    expect(pixelAt(image, 1, 0)).toEqual([247, 247, 247, 255]); // 0: the centre
  });

  it('explains bad input, naming the layer and repeating the values', async () => {
    await expect(filterGrid({ shape: [3, 3, 1], data: [] })).rejects.toThrow(
      /kernel \(HWIO.*rank 4, received shape \[3, 3, 1\]/,
    );
    await expect(filterGrid(EDGE, { channel: 1, name: 'conv1' })).rejects.toThrow(
      /filterGrid\(conv1\): channel 1 is out of range for the kernel \[3, 3, 1, 1\] \(HWIO\): use 0 … 0/,
    );
    await expect(filterGrid(EDGE, { rgb: true })).rejects.toThrow(/rgb tiles need 3 input channels.*has 1/);
    await expect(filterGrid({ shape: [1, 1, 1, 2], data: [1] })).rejects.toThrow(/needs 2 values, received 1/);
  });
});
