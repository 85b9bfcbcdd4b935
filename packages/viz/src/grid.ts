import { ConfigError } from '@convkit/layers';
import { createImage, drawImage, type Rgba, type RgbaImage, WHITE } from './image.js';

/** Options of {@link tileGrid}. */
export interface TileGridOptions {
  /** Tiles per row. Default: `ceil(sqrt(tiles))`. */
  columns?: number;
  /** Background pixels between tiles and around the grid. Default 1. */
  spacing?: number;
  /** Each tile pixel becomes a `scale × scale` square. Default 1. */
  scale?: number;
  /** Colour of the spacing. Default white. */
  background?: Rgba;
}

/** Where a tile landed in a grid, in pixels of the grid image. */
export interface TilePlacement {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A grid of tiles and where each one is. */
export interface TileGrid {
  image: RgbaImage;
  placements: TilePlacement[];
  columns: number;
  rows: number;
}

/** Checks a positive (or, with `zero`, non-negative) integer option. */
export function checkCount(op: string, name: string, value: number, zero = false): number {
  if (!Number.isInteger(value) || value < (zero ? 0 : 1)) {
    throw new ConfigError(op, `${name} must be a ${zero ? 'non-negative' : 'positive'} integer, received ${value}`);
  }
  return value;
}

/**
 * Tiles laid out row by row in cells as large as the largest tile, with
 * `spacing` background pixels between and around them.
 *
 * @example
 * ```ts
 * const { image } = tileGrid([a, b, c], { columns: 3, spacing: 1, scale: 4 });
 * ```
 */
export function tileGrid(tiles: readonly RgbaImage[], options: TileGridOptions = {}, op = 'tileGrid'): TileGrid {
  const scale = checkCount(op, 'scale', options.scale ?? 1);
  const spacing = checkCount(op, 'spacing', options.spacing ?? 1, true);
  const requested = checkCount(op, 'columns', options.columns ?? Math.max(1, Math.ceil(Math.sqrt(tiles.length))));
  const columns = Math.min(requested, Math.max(tiles.length, 1));
  const rows = Math.ceil(tiles.length / columns);
  const cellW = Math.max(0, ...tiles.map((t) => t.width)) * scale;
  const cellH = Math.max(0, ...tiles.map((t) => t.height)) * scale;
  const image = createImage(
    columns * (cellW + spacing) + spacing,
    rows * (cellH + spacing) + spacing,
    options.background ?? WHITE,
  );
  const placements = tiles.map((tile, i) => {
    const x = spacing + (i % columns) * (cellW + spacing);
    const y = spacing + Math.floor(i / columns) * (cellH + spacing);
    drawImage(image, tile, x, y, scale);
    return { x, y, width: tile.width * scale, height: tile.height * scale };
  });
  return { image, placements, columns, rows };
}

/**
 * `count` indices from `0 … total − 1`, evenly spread with the first and last
 * included (all of them when `total ≤ count`).
 *
 * @example
 * ```ts
 * sampleIndices(10, 4); // [0, 3, 6, 9]
 * ```
 */
export function sampleIndices(total: number, count: number): number[] {
  if (total <= count) return Array.from({ length: total }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((i * (total - 1)) / (count - 1)));
}
