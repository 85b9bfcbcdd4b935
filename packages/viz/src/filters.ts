import { ConfigError } from '@convkit/layers';
import { type Colormap, type ColormapName, colormap } from './colormap.js';
import { checkCount, sampleIndices, type TileGridOptions, tileGrid } from './grid.js';
import { createImage, type RgbaImage } from './image.js';
import { finiteRange, readValues, type TensorInput, unit, type Values } from './tensor-data.js';

/** How weights map to brightness: per filter, over the whole kernel, or per tile. */
export type FilterNormalize = 'filter' | 'global' | 'tile';

/** Options of {@link filterGrid}. */
export interface FilterGridOptions extends TileGridOptions {
  /** Default `'filter'`: each filter's smallest weight is black (or the map's 0), its largest white. */
  normalize?: FilterNormalize;
  /** A fixed `[min, max]` for every tile, overriding `normalize` (filter evolution uses it). */
  range?: readonly [number, number];
  /** Map ranges symmetric around 0 (`[-m, m]`, m the largest |weight|). Default: true for `'diverging'`. */
  symmetric?: boolean;
  /** Colour map of single-channel tiles. Default `'gray'`; `'diverging'` shows signs. */
  colormap?: ColormapName | Colormap;
  /** One RGB tile per filter. Default: true when the kernel has 3 input channels. */
  rgb?: boolean;
  /** One tile per filter showing only this input channel. */
  channel?: number;
  /** More tiles than this are evenly sampled, with a `note`. Default 256. */
  maxTiles?: number;
  /** The layer's name, for error messages. */
  name?: string;
}

/** One tile of a filter grid. */
export interface FilterTile {
  filter: number;
  /** The input channel shown, or `'rgb'` for a colour tile of all three. */
  channel: number | 'rgb';
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What {@link filterGrid} drew. */
export interface FilterGridResult {
  image: RgbaImage;
  tiles: FilterTile[];
  /** Tiles there would be without `maxTiles`. */
  total: number;
  columns: number;
  rows: number;
  /** `[min, max]` of the weights drawn (the fixed range with `range` or `'global'`). */
  range: [number, number];
  /** Set when tiles were sampled: what is shown and how to see all. */
  note?: string;
}

interface Kernel {
  data: Float32Array;
  kh: number;
  kw: number;
  cin: number;
  cout: number;
}

/** Index of weight `(y, x, c, f)` in an HWIO kernel. */
function at(k: Kernel, y: number, x: number, c: number, f: number): number {
  return k.data[((y * k.kw + x) * k.cin + c) * k.cout + f] as number;
}

function filterValues(k: Kernel, f: number, channels: readonly number[]): number[] {
  const out: number[] = [];
  for (let y = 0; y < k.kh; y++) for (let x = 0; x < k.kw; x++) for (const c of channels) out.push(at(k, y, x, c, f));
  return out;
}

function rangeOf(values: ArrayLike<number>, symmetric: boolean): [number, number] {
  const [min, max] = finiteRange(values);
  if (!symmetric) return [min, max];
  const m = Math.max(Math.abs(min), Math.abs(max));
  return [-m, m];
}

/**
 * The filters of a convolution as a grid of tiles: the kernel is HWIO
 * (`[kh, kw, in, filters]`, a tensor or `{ data, shape }`). With 3 input
 * channels each filter is one RGB tile (AlexNet's 96 first-layer filters);
 * otherwise one grayscale tile per (filter, input channel), a row per
 * filter, or one per filter for a chosen `channel`. Weights map linearly
 * to 0–255 (`round(255·t)`); beyond `maxTiles` the tiles are evenly sampled
 * and `note` says so.
 *
 * Returns a Promise: a tensor is read with `await t.data()`, which does not
 * stall a page on WebGPU. The tensor is not disposed (a layer's kernel is
 * still in use); dispose a temporary one after awaiting.
 *
 * @example
 * ```ts
 * const edge = { shape: [3, 3, 1, 1], data: [-1, 0, 1, -1, 0, 1, -1, 0, 1] };
 * (await filterGrid(edge, { spacing: 0 })).image.data; // rows of 0, 128, 255 (gray, opaque)
 * await filterGrid(conv1Kernel, { scale: 4, columns: 12 }); // 96 RGB tiles, 8 rows
 * ```
 */
export async function filterGrid(kernel: TensorInput, options: FilterGridOptions = {}): Promise<FilterGridResult> {
  const op = filterGridOp(options);
  return drawFilterGrid(await readValues(kernel, 4, op, KERNEL), options);
}

const KERNEL = 'the kernel (HWIO: [kh, kw, in, filters])';

function filterGridOp(options: FilterGridOptions): string {
  return options.name ? `filterGrid(${options.name})` : 'filterGrid';
}

/** {@link filterGrid} on values already read and checked (rank 4, HWIO): draws without waiting. */
export function drawFilterGrid(values: Values, options: FilterGridOptions = {}): FilterGridResult {
  const op = filterGridOp(options);
  const [kh, kw, cin, cout] = values.shape as [number, number, number, number];
  const k: Kernel = { data: values.data, kh, kw, cin, cout };
  const shape = `[${values.shape.join(', ')}]`;
  const look = checkLook(options, k, shape, op);
  const all = tilesOf(k, look);
  const picked = sampleIndices(all.length, look.maxTiles).map((i) => all[i] as TileKey);
  const sampled = picked.length < all.length;
  const globalRange = options.range ? ([...options.range] as [number, number]) : rangeOf(k.data, look.symmetric);
  const rangeFor = tileRanges(k, look, globalRange, options.range !== undefined);
  const tiles = picked.map(({ filter, channel }) => drawTile(k, filter, channel, rangeFor(filter, channel), look.map));

  const perFilterRows = !look.rgb && look.channel === undefined && !sampled && cin > 1 && cin <= 16;
  const grid = tileGrid(tiles, { ...options, ...(perFilterRows && !options.columns ? { columns: cin } : {}) }, op);
  const result: FilterGridResult = {
    image: grid.image,
    tiles: picked.map((t, i) => ({ ...t, ...(grid.placements[i] as (typeof grid.placements)[number]) })),
    total: all.length,
    columns: grid.columns,
    rows: grid.rows,
    range: options.range || look.normalize === 'global' ? globalRange : rangeOf(k.data, false),
  };
  if (sampled) {
    result.note = `showing ${picked.length} of ${all.length} tiles of the kernel ${shape} (HWIO), evenly sampled: raise maxTiles to see all`;
  }
  return result;
}

/** What a tile shows: a filter, and one input channel of it or all three as colour. */
type TileKey = { filter: number; channel: number | 'rgb' };

/** The options that decide how tiles look, with their defaults, checked against the kernel. */
interface Look {
  rgb: boolean;
  channel: number | undefined;
  normalize: FilterNormalize;
  maxTiles: number;
  map: Colormap;
  symmetric: boolean;
}

function checkLook(options: FilterGridOptions, { cin }: Kernel, shape: string, op: string): Look {
  const { channel } = options;
  const rgb = options.rgb ?? (cin === 3 && channel === undefined);
  if (rgb && cin !== 3) {
    throw new ConfigError(op, `rgb tiles need 3 input channels, the kernel ${shape} (HWIO) has ${cin}`);
  }
  if (channel !== undefined && (!Number.isInteger(channel) || channel < 0 || channel >= cin)) {
    throw new ConfigError(op, `channel ${channel} is out of range for the kernel ${shape} (HWIO): use 0 … ${cin - 1}`);
  }
  const normalize = options.normalize ?? 'filter';
  if (!['filter', 'global', 'tile'].includes(normalize)) {
    throw new ConfigError(op, `normalize must be 'filter', 'global' or 'tile', received ${JSON.stringify(normalize)}`);
  }
  const maxTiles = checkCount(op, 'maxTiles', options.maxTiles ?? 256);
  const map = colormap(options.colormap ?? 'gray', op);
  const symmetric = options.symmetric ?? options.colormap === 'diverging';
  return { rgb, channel, normalize, maxTiles, map, symmetric };
}

/** Every tile, filter-major so that a row can be one filter. */
function tilesOf({ cin, cout }: Kernel, { rgb, channel }: Look): TileKey[] {
  const all: TileKey[] = [];
  for (let f = 0; f < cout; f++) {
    if (rgb) all.push({ filter: f, channel: 'rgb' });
    else if (channel !== undefined) all.push({ filter: f, channel });
    else for (let c = 0; c < cin; c++) all.push({ filter: f, channel: c });
  }
  return all;
}

/**
 * The `[min, max]` that maps to the ends of the colour scale for a tile: the
 * fixed range, the whole kernel's, the filter's (computed once per filter) or
 * the tile's own.
 */
function tileRanges(
  k: Kernel,
  { normalize, symmetric }: Look,
  globalRange: [number, number],
  fixed: boolean,
): (f: number, c: number | 'rgb') => [number, number] {
  const filterRanges = new Map<number, [number, number]>();
  const allChannels = Array.from({ length: k.cin }, (_, i) => i);
  return (f, c) => {
    if (fixed || normalize === 'global') return globalRange;
    if (normalize === 'tile') return rangeOf(filterValues(k, f, c === 'rgb' ? [0, 1, 2] : [c]), symmetric);
    let r = filterRanges.get(f);
    if (!r) {
      r = rangeOf(filterValues(k, f, allChannels), symmetric);
      filterRanges.set(f, r);
    }
    return r;
  };
}

/** One tile: `kh × kw` pixels of filter `filter`, one channel through the colour map or three as RGB. */
function drawTile(
  k: Kernel,
  filter: number,
  c: number | 'rgb',
  [min, max]: [number, number],
  map: Colormap,
): RgbaImage {
  const tile = createImage(k.kw, k.kh);
  for (let y = 0; y < k.kh; y++) {
    for (let x = 0; x < k.kw; x++) {
      const colour =
        c === 'rgb'
          ? [0, 1, 2].map((ch) => Math.round(255 * clampUnit(unit(at(k, y, x, ch, filter), min, max))))
          : map(unit(at(k, y, x, c, filter), min, max));
      tile.data.set([colour[0] ?? 0, colour[1] ?? 0, colour[2] ?? 0, 255], 4 * (y * k.kw + x));
    }
  }
  return tile;
}

function clampUnit(t: number): number {
  return Number.isNaN(t) ? 0 : Math.min(1, Math.max(0, t));
}
