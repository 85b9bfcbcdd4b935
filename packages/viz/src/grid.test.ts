import { describe, expect, it } from 'vitest';
import { sampleIndices, tileGrid } from './grid.js';
import { createImage, pixelAt } from './image.js';

describe('tileGrid', () => {
  it('lays tiles out row by row with spacing around them', () => {
    const red = createImage(2, 1, [255, 0, 0, 255]);
    const blue = createImage(2, 1, [0, 0, 255, 255]);
    const g = tileGrid([red, blue, red], { columns: 2, spacing: 1, background: [0, 0, 0, 255] });
    expect([g.image.width, g.image.height, g.columns, g.rows]).toEqual([7, 5, 2, 2]);
    expect(g.placements.map((p) => [p.x, p.y])).toEqual([
      [1, 1],
      [4, 1],
      [1, 3],
    ]);
    expect(pixelAt(g.image, 4, 1)).toEqual([0, 0, 255, 255]);
    expect(pixelAt(g.image, 3, 1)).toEqual([0, 0, 0, 255]);
  });

  it('defaults to a square-ish grid and never more columns than tiles', () => {
    const tile = createImage(1, 1);
    expect(tileGrid(Array(10).fill(tile)).columns).toBe(4);
    expect(tileGrid([tile], { columns: 8 }).columns).toBe(1);
    expect(() => tileGrid([tile], { scale: 0 })).toThrow(/scale must be a positive integer, received 0/);
  });
});

describe('sampleIndices', () => {
  it('spreads evenly with both ends, or keeps all', () => {
    expect(sampleIndices(10, 4)).toEqual([0, 3, 6, 9]);
    expect(sampleIndices(3, 5)).toEqual([0, 1, 2]);
    expect(new Set(sampleIndices(1000, 999)).size).toBe(999);
  });
});
