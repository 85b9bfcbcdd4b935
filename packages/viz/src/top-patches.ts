import { ConfigError, type Layer } from '@convkit/layers';
import type { ReceptiveField2d } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { checkCount, tileGrid } from './grid.js';
import { createImage, drawImage, type Rgba, type RgbaImage, WHITE } from './image.js';
import { activationAt, fieldAt } from './model-path.js';
import { finiteRange } from './tensor-data.js';
import { TopK } from './top-k.js';

/** Images as bytes, NHWC, as `@convkit/data` loads MNIST and CIFAR (`ImageDataset` fits). */
export interface ImageSource {
  /** `count × height × width × channels` bytes. */
  images: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** A rectangle of input pixels: rows `top … top + height − 1`, columns `left … left + width − 1`. */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** One of a unit's top activations. */
export interface PatchHit {
  /** Index of the example in the dataset. */
  example: number;
  /** Position of the unit in the layer's output map (0 for a flat layer). */
  y: number;
  x: number;
  /** The activation: the unit's largest value over the map for this example. */
  value: number;
  /** The unit's receptive field in the input, clipped at the borders. */
  box: Box;
  /** The input pixels under `box`. */
  patch: RgbaImage;
}

/** Options of {@link topPatches}. */
export interface TopPatchesOptions {
  /** Name of the layer whose units are ranked (its output, after a fused activation). */
  layer: string;
  /** Channels (units) of that layer to rank. */
  units: readonly number[];
  /** Patches per unit. Default 9. */
  k?: number;
  /** Images per forward pass (memory is bounded by one batch plus k hits per unit). Default 32. */
  batchSize?: number;
  /** Only the first `limit` examples. Default: all. */
  limit?: number;
  /** Bytes to the model's input. Default: `bytes / 255` as float32. */
  preprocess?: (images: Uint8Array, shape: [number, number, number, number]) => tf.Tensor4D;
  /** `'none'` (default) draws the pixels as they are; `'patch'` stretches each patch's contrast. */
  normalize?: 'none' | 'patch';
  /** Grid options: each pixel a `scale × scale` square (default 2), `spacing` (default 2), background. */
  scale?: number;
  spacing?: number;
  background?: Rgba;
  /** Fills the parts of a receptive field outside the image. Default mid gray. */
  outside?: Rgba;
}

/** What {@link topPatches} found. */
export interface TopPatchesResult {
  layer: string;
  /** The layer's receptive field (absent for a layer that sees the whole input). */
  field?: ReceptiveField2d;
  units: { unit: number; hits: PatchHit[] }[];
  /** A row per unit, its hits left to right, each in a cell as large as the full receptive field. */
  image: RgbaImage;
  /** Examples scanned. */
  examples: number;
}

/**
 * For each chosen unit (channel) of a layer, the `k` dataset examples that
 * activate it most (its maximum over the output map), with the input patch
 * under the unit's receptive field at that position (size, jump and start
 * from the model's layer specs through `@convkit/shape`), clipped at the
 * borders (Zeiler & Fergus, 2014). One pass over the data, one batch in
 * memory at a time, a k-sized min-heap per unit.
 *
 * @example
 * ```ts
 * const top = await topPatches(model, loadMnist({ split: 'test' }), { layer: 'conv2', units: [0, 1, 2], k: 8 });
 * top.units[0].hits[0]; // { example, y, x, value, box: { top, left, height, width }, patch }
 * ```
 */
export async function topPatches(
  model: Layer,
  data: ImageSource,
  options: TopPatchesOptions,
): Promise<TopPatchesResult> {
  const op = `topPatches(${options?.layer})`;
  checkSource(op, data);
  const k = checkCount(op, 'k', options.k ?? 9);
  const batchSize = checkCount(op, 'batchSize', options.batchSize ?? 32);
  const count = Math.min(data.count, checkCount(op, 'limit', options.limit ?? data.count, true));
  const { height, width, channels } = data;
  const geometry = fieldAt(model, [height, width, channels], options.layer);
  const depth = geometry.outputShape.at(-1) as number;
  const units = [...options.units];
  if (units.length === 0 || units.some((u) => !Number.isInteger(u) || u < 0 || u >= depth)) {
    throw new ConfigError(
      op,
      `units must be channels 0 … ${depth - 1} of ${options.layer} (output [${geometry.outputShape.join(', ')}]), received [${units.join(', ')}]`,
    );
  }
  const preprocess =
    options.preprocess ??
    ((bytes: Uint8Array, shape: [number, number, number, number]) =>
      tf.tidy(() => tf.div(tf.tensor4d(bytes, shape, 'float32'), 255) as tf.Tensor4D));

  const heaps = units.map(() => new TopK<{ value: number; example: number; y: number; x: number }>(k));
  const pixels = height * width * channels;
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const bytes = data.images.subarray(start * pixels, (start + n) * pixels);
    const picked = tf.tidy(() => {
      const x = preprocess(bytes, [n, height, width, channels]);
      const a = activationAt(model, x, options.layer);
      return tf.gather(a, units, a.rank - 1);
    });
    const values = await picked.data();
    const [oh, ow] = picked.rank === 4 ? [picked.shape[1] as number, picked.shape[2] as number] : [1, 1];
    picked.dispose();
    const u = units.length;
    for (let b = 0; b < n; b++) {
      for (let j = 0; j < u; j++) {
        let best = Number.NEGATIVE_INFINITY;
        let where = 0;
        for (let p = 0; p < oh * ow; p++) {
          const v = values[(b * oh * ow + p) * u + j] as number;
          if (v > best) {
            best = v;
            where = p;
          }
        }
        const heap = heaps[j] as (typeof heaps)[number];
        if (heap.accepts(best)) {
          heap.push({ value: best, example: start + b, y: Math.floor(where / ow), x: where % ow });
        }
      }
    }
  }

  const field = geometry.receptiveField;
  const results = units.map((unit, j) => ({
    unit,
    hits: (heaps[j] as (typeof heaps)[number]).sorted().map((hit) => {
      const box = fieldBox(field, hit.y, hit.x, height, width);
      return {
        ...hit,
        box: box.clipped,
        patch: cropPatch(data, hit.example, box.clipped, options.normalize ?? 'none'),
      };
    }),
  }));
  const result: TopPatchesResult = {
    layer: options.layer,
    units: results,
    image: patchGrid(results, field, height, width, k, options),
    examples: count,
  };
  if (field) result.field = field;
  return result;
}

/**
 * The receptive field of output unit `(y, x)` in an `height × width` input:
 * the full window (which may reach past the borders) and the clipped box.
 *
 * @example
 * ```ts
 * fieldBox({ size: [3, 3], jump: [1, 1], start: [0, 0] }, 0, 0, 8, 8).clipped; // { top: 0, left: 0, height: 2, width: 2 }
 * ```
 */
export function fieldBox(
  field: ReceptiveField2d | undefined,
  y: number,
  x: number,
  height: number,
  width: number,
): { full: Box; clipped: Box } {
  if (!field) {
    const whole = { top: 0, left: 0, height, width };
    return { full: whole, clipped: whole };
  }
  const axis = (k: 0 | 1, i: number) => Math.round(field.start[k] + i * field.jump[k] - (field.size[k] - 1) / 2);
  const full = { top: axis(0, y), left: axis(1, x), height: field.size[0], width: field.size[1] };
  const top = Math.max(0, full.top);
  const left = Math.max(0, full.left);
  const bottom = Math.min(height, full.top + full.height);
  const right = Math.min(width, full.left + full.width);
  return { full, clipped: { top, left, height: Math.max(0, bottom - top), width: Math.max(0, right - left) } };
}

function checkSource(op: string, data: ImageSource): void {
  const { count, height, width, channels, images } = data ?? {};
  for (const [name, v] of Object.entries({ count, height, width, channels })) {
    if (!Number.isInteger(v) || (v as number) < (name === 'count' ? 0 : 1)) {
      throw new ConfigError(op, `the dataset's ${name} must be a positive integer, received ${String(v)}`);
    }
  }
  if (!(images instanceof Uint8Array) || images.length < count * height * width * channels) {
    throw new ConfigError(
      op,
      `the dataset needs ${count}×${height}×${width}×${channels} = ${count * height * width * channels} image bytes (NHWC), received ${images instanceof Uint8Array ? images.length : String(images)}`,
    );
  }
}

/** The input pixels of one example under `box`: RGB from the first three channels, else gray from channel 0. */
function cropPatch(data: ImageSource, example: number, box: Box, normalize: 'none' | 'patch'): RgbaImage {
  const { height, width, channels } = data;
  const patch = createImage(box.width, box.height);
  const base = example * height * width * channels;
  const samples = new Float32Array(box.width * box.height * 3);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const from = base + ((box.top + y) * width + box.left + x) * channels;
      for (let ch = 0; ch < 3; ch++) {
        samples[3 * (y * box.width + x) + ch] = data.images[from + (channels >= 3 ? ch : 0)] as number;
      }
    }
  }
  const [min, max] = normalize === 'patch' ? finiteRange(samples) : [0, 255];
  const span = max > min ? max - min : 1;
  for (let i = 0; i < box.width * box.height; i++) {
    for (let ch = 0; ch < 3; ch++) {
      patch.data[4 * i + ch] = Math.round((255 * ((samples[3 * i + ch] as number) - min)) / span);
    }
  }
  return patch;
}

/**
 * A hit's patch in a cell as large as the full receptive field, placed where
 * the field lies and `outside` (default mid gray) where it reaches past the
 * image's borders; an empty cell without a hit.
 */
export function patchCell(
  hit: PatchHit | undefined,
  field: ReceptiveField2d | undefined,
  height: number,
  width: number,
  outside: Rgba = [128, 128, 128, 255],
): RgbaImage {
  const cell = createImage(field ? field.size[1] : width, field ? field.size[0] : height, outside);
  if (hit) {
    const { full } = fieldBox(field, hit.y, hit.x, height, width);
    drawImage(cell, hit.patch, hit.box.left - full.left, hit.box.top - full.top);
  }
  return cell;
}

function patchGrid(
  results: { unit: number; hits: PatchHit[] }[],
  field: ReceptiveField2d | undefined,
  height: number,
  width: number,
  k: number,
  options: TopPatchesOptions,
): RgbaImage {
  const cells: RgbaImage[] = [];
  for (const { hits } of results) {
    for (let i = 0; i < k; i++) cells.push(patchCell(hits[i], field, height, width, options.outside));
  }
  return tileGrid(
    cells,
    { columns: k, scale: options.scale ?? 2, spacing: options.spacing ?? 2, background: options.background ?? WHITE },
    'topPatches',
  ).image;
}
