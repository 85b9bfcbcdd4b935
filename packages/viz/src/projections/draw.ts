import { ConfigError } from '@convkit/layers';
import { type Colormap, type ColormapName, colormap } from '../colormap.js';
import { createImage, type RgbaImage, upscale } from '../image.js';
import { finiteRange, unit } from '../tensor-data.js';
import type { ProjectionData } from './target.js';

/** Options of {@link projectionImage}. */
export interface ProjectionImageOptions {
  /** Each value a `scale × scale` square (nearest neighbour). Default 1. */
  scale?: number;
}

/** Options of {@link heatmapImage}. */
export interface HeatmapImageOptions extends ProjectionImageOptions {
  /** Default `'viridis'`. */
  colormap?: ColormapName | Colormap;
  /** The colour scale `[min, max]` (e.g. `[0, 1]` for probabilities). Default: the map's own range. */
  range?: readonly [number, number];
}

/**
 * One example of an input-space projection (`deconvnet`, `guidedBackprop`:
 * `[batch, h, w, channels]`) as an image, as Zeiler & Fergus draw them: 0 is
 * mid grey and the largest magnitude reaches black or white, per channel
 * (RGB from the first three channels, grey from the first otherwise).
 *
 * @example
 * ```ts
 * const image = projectionImage(await deconvnet(model, x, { layer: 'conv2', channel: 0 }), 0, { scale: 4 });
 * await writePng('projection.png', image); // from @convkit/viz/node
 * ```
 */
export function projectionImage(
  projection: ProjectionData,
  example = 0,
  options: ProjectionImageOptions = {},
): RgbaImage {
  const [h, w, c] = plane(projection, 4, example, 'projectionImage');
  const offset = example * h * w * c;
  const values = projection.data.subarray(offset, offset + h * w * c);
  let peak = 0;
  for (const v of values) if (Number.isFinite(v)) peak = Math.max(peak, Math.abs(v));
  const image = createImage(w, h);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const v = values[p * c + (c >= 3 ? k : 0)] as number;
      image.data[4 * p + k] = Math.round(127.5 + (peak > 0 ? (127.5 * v) / peak : 0));
    }
  }
  return upscale(image, options.scale ?? 1);
}

/**
 * One example of a map (`saliency`: `[batch, h, w]`; `occlusion`:
 * `[batch, rows, columns]`) as a heatmap through a colour map, on its own
 * range unless `range` fixes one (draw the scale with `colorbar`).
 *
 * @example
 * ```ts
 * const o = await occlusion(model, x, { size: 7, stride: 2 });
 * heatmapImage(o, 0, { range: [0, 1], scale: 8 }); // probability 0 … 1
 * ```
 */
export function heatmapImage(map: ProjectionData, example = 0, options: HeatmapImageOptions = {}): RgbaImage {
  const [h, w] = plane(map, 3, example, 'heatmapImage');
  const values = map.data.subarray(example * h * w, (example + 1) * h * w);
  const [min, max] = options.range ?? finiteRange(values);
  const f = colormap(options.colormap ?? 'viridis', 'heatmapImage');
  const image = createImage(w, h);
  for (let p = 0; p < h * w; p++) {
    const [r, g, b] = f(unit(values[p] as number, min, max));
    image.data.set([r, g, b, 255], 4 * p);
  }
  return upscale(image, options.scale ?? 1);
}

/** The per-example dimensions of a `[batch, …]` result, after checking its rank, size and the example index. */
function plane(result: ProjectionData, rank: number, example: number, op: string): [number, number, number] {
  const shape = result?.shape ?? [];
  const [n, ...rest] = shape;
  if (shape.length !== rank || result.data.length !== shape.reduce((a, b) => a * b, 1)) {
    throw new ConfigError(
      op,
      `expects ${rank === 4 ? '[batch, h, w, channels]' : '[batch, h, w]'} data, received shape [${shape.join(', ')}] with ${result?.data?.length} values`,
    );
  }
  if (!Number.isInteger(example) || example < 0 || example >= (n as number)) {
    throw new ConfigError(op, `example ${example} is out of range for a batch of ${n}: use 0 … ${(n as number) - 1}`);
  }
  return [rest[0] as number, rest[1] as number, rest[2] ?? 1];
}
