import { ConfigError } from '@convkit/layers';
import { type Colormap, type ColormapName, colormap } from './colormap.js';
import { checkCount, sampleIndices, type TileGridOptions, tileGrid } from './grid.js';
import { createImage, type RgbaImage } from './image.js';
import { finiteRange, readValues, type TensorInput, unit, type Values } from './tensor-data.js';

/** Options of {@link featureMaps}. */
export interface FeatureMapsOptions extends TileGridOptions {
  /** Default `'viridis'`. */
  colormap?: ColormapName | Colormap;
  /** `'global'` (default): one colour scale for every map, so maps compare; `'map'`: each map stretched. */
  normalize?: 'global' | 'map';
  /** A fixed `[min, max]` for the colour scale. */
  range?: readonly [number, number];
  /** Which channels to draw. Default: all (sampled beyond `maxTiles`). */
  channels?: readonly number[];
  /** More maps than this are evenly sampled, with a `note`. Default 256. */
  maxTiles?: number;
  /** Which example of the batch. Default 0. */
  example?: number;
  /** The layer's name, for error messages. */
  name?: string;
}

/** What {@link featureMaps} drew. */
export interface FeatureMapsResult {
  image: RgbaImage;
  tiles: { channel: number; x: number; y: number; width: number; height: number }[];
  /** The colour scale: `min` maps to the colour map's 0, `max` to its 1 (with `'map'`: the range over all maps). */
  range: [number, number];
  /** Channels of the activation. */
  total: number;
  columns: number;
  rows: number;
  /** Set when maps were sampled. */
  note?: string;
}

/**
 * The activations of one example (`[batch, h, w, channels]`, NHWC; a tensor
 * or `{ data, shape }`) as a grid of heatmaps, one per channel, on one
 * colour scale (`range`; draw it with {@link colorbar}).
 *
 * Returns a Promise: a tensor is read with `await t.data()`, which does not
 * stall a page on WebGPU. The tensor is not disposed: dispose it after
 * awaiting.
 *
 * @example
 * ```ts
 * const activation = conv1.apply(x);
 * const maps = await featureMaps(activation, { columns: 6, scale: 4 });
 * activation.dispose();
 * maps.range; // [min, max] of the colour scale
 * ```
 */
export async function featureMaps(
  activation: TensorInput,
  options: FeatureMapsOptions = {},
): Promise<FeatureMapsResult> {
  const values = await readValues(
    activation,
    4,
    featureMapsOp(options),
    'the activation (NHWC: [batch, h, w, channels])',
  );
  return drawFeatureMaps(values, options);
}

function featureMapsOp(options: FeatureMapsOptions): string {
  return options.name ? `featureMaps(${options.name})` : 'featureMaps';
}

/** {@link featureMaps} on values already read and checked (rank 4, NHWC): draws without waiting. */
export function drawFeatureMaps(values: Values, options: FeatureMapsOptions = {}): FeatureMapsResult {
  const op = featureMapsOp(options);
  const [n, h, w, c] = values.shape as [number, number, number, number];
  const example = options.example ?? 0;
  if (!Number.isInteger(example) || example < 0 || example >= n) {
    throw new ConfigError(op, `example ${example} is out of range for a batch of ${n}: use 0 … ${n - 1}`);
  }
  const maxTiles = checkCount(op, 'maxTiles', options.maxTiles ?? 256);
  const map = colormap(options.colormap ?? 'viridis', op);
  const normalize = options.normalize ?? 'global';
  if (normalize !== 'global' && normalize !== 'map') {
    throw new ConfigError(op, `normalize must be 'global' or 'map', received ${JSON.stringify(normalize)}`);
  }
  const requested = options.channels ?? Array.from({ length: c }, (_, i) => i);
  for (const ch of requested) {
    if (!Number.isInteger(ch) || ch < 0 || ch >= c) {
      throw new ConfigError(op, `channel ${ch} is out of range for an activation with ${c} channels`);
    }
  }
  const channels = sampleIndices(requested.length, maxTiles).map((i) => requested[i] as number);
  const offset = example * h * w * c;
  const plane = (ch: number) => {
    const out = new Float32Array(h * w);
    for (let p = 0; p < h * w; p++) out[p] = values.data[offset + p * c + ch] as number;
    return out;
  };
  const planes = channels.map(plane);
  const all = new Float32Array(planes.reduce((s, p) => s + p.length, 0));
  planes.reduce((at, p) => {
    all.set(p, at);
    return at + p.length;
  }, 0);
  const range: [number, number] = options.range ? [options.range[0], options.range[1]] : finiteRange(all);

  const tiles = planes.map((p) => {
    const [min, max] = normalize === 'map' && !options.range ? finiteRange(p) : range;
    const tile = createImage(w, h);
    for (let i = 0; i < p.length; i++) {
      const [r, g, b] = map(unit(p[i] as number, min, max));
      tile.data.set([r, g, b, 255], 4 * i);
    }
    return tile;
  });
  const grid = tileGrid(tiles, options, op);
  const result: FeatureMapsResult = {
    image: grid.image,
    tiles: channels.map((channel, i) => ({ channel, ...(grid.placements[i] as (typeof grid.placements)[number]) })),
    range,
    total: c,
    columns: grid.columns,
    rows: grid.rows,
  };
  if (channels.length < requested.length) {
    result.note = `showing ${channels.length} of ${requested.length} maps (activation [${values.shape.join(', ')}]), evenly sampled: raise maxTiles to see all`;
  }
  return result;
}

/**
 * A colour scale as an image: `width × height`, 0 on the left and 1 on the
 * right (or 0 at the bottom and 1 at the top when `vertical`).
 *
 * @example
 * ```ts
 * colorbar('viridis', { width: 256, height: 12 }); // label its ends with featureMaps(…).range
 * ```
 */
export function colorbar(
  map: ColormapName | Colormap = 'viridis',
  { width = 256, height = 12, vertical = false }: { width?: number; height?: number; vertical?: boolean } = {},
): RgbaImage {
  checkCount('colorbar', 'width', width);
  checkCount('colorbar', 'height', height);
  const f = colormap(map, 'colorbar');
  const image = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = vertical ? (height > 1 ? (height - 1 - y) / (height - 1) : 0.5) : width > 1 ? x / (width - 1) : 0.5;
      const [r, g, b] = f(t);
      image.data.set([r, g, b, 255], 4 * (y * width + x));
    }
  }
  return image;
}
