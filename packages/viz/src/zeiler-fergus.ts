import type { Layer } from '@convkit/layers';
import type { ReceptiveField2d } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { checkCount, type TilePlacement, tileGrid } from './grid.js';
import { createImage, drawImage, type Rgba, type RgbaImage, WHITE } from './image.js';
import { fieldAt } from './model-path.js';
import { deconvnet } from './projections/deconvnet.js';
import { projectionImage } from './projections/draw.js';
import { fieldBox, type ImageSource, type PatchHit, patchCell, topPatches } from './top-patches.js';

/** Options of {@link zeilerFergus}. */
export interface ZeilerFergusOptions {
  /** The layer whose units are shown (a conv layer's name, as `layerNames` gives it). */
  layer: string;
  /** Channels to show. Default: the `count` units with the strongest activation over the examples scanned. */
  units?: readonly number[];
  /** Units shown when `units` is not given. Default 8. */
  count?: number;
  /** Top inputs per unit. Default 9 (a 3 × 3 block, as the paper draws them). */
  k?: number;
  /** Only the first `limit` examples are searched (bounds the time). Default: all. */
  limit?: number;
  /** Images per forward pass while searching. Default 32. */
  batchSize?: number;
  /** Bytes to the model's input. Default: `bytes / 255` as float32. */
  preprocess?: (images: Uint8Array, shape: [number, number, number, number]) => tf.Tensor4D;
  /** Layer types or names the deconvnet passes the signal through unchanged (e.g. `['lrn']`). */
  passThrough?: readonly string[];
  /** Each pixel a `scale × scale` square. Default 3. */
  scale?: number;
  /** Units per row of the grid. Default 2. */
  columns?: number;
  /** Pixels between units. Default 8. */
  spacing?: number;
  background?: Rgba;
}

/** One of a unit's top inputs: the patch that caused it and the deconvnet projection of the unit there. */
export interface ZeilerFergusHit extends PatchHit {
  /** The projection in the full receptive field's window (cut where it leaves the image, mid gray there). */
  projection: RgbaImage;
}

/** One unit of the grid and where its two blocks are in the image. */
export interface ZeilerFergusUnit {
  unit: number;
  hits: ZeilerFergusHit[];
  /** The block of projections (left) and the block of patches (right), in pixels of the image. */
  projections: TilePlacement;
  patches: TilePlacement;
}

/** What {@link zeilerFergus} drew. */
export interface ZeilerFergusResult {
  layer: string;
  field?: ReceptiveField2d;
  units: ZeilerFergusUnit[];
  /** Units `columns` to a row; each unit its k projections (3 × 3 for k = 9) beside the k patches. */
  image: RgbaImage;
  /** Examples searched. */
  examples: number;
  /** How the units were chosen, in words (for a caption). */
  note: string;
}

const GRAY: Rgba = [128, 128, 128, 255];

/**
 * Zeiler & Fergus's figure (2014, Fig. 2): for each of a layer's units, its
 * top-k inputs over a dataset, each as the deconvnet projection of the unit's
 * activation back to pixel space beside the image patch (the unit's
 * receptive field) that caused it. The search is `topPatches`' single bounded
 * pass (`limit` caps it), the projections `deconvnet`'s, for the hit's
 * example at the hit's position; both are cut to the receptive field's
 * window so that pixel (i, j) of a projection and of its patch are the same
 * input pixel. Reads are asynchronous, so it runs in a page as in Node.
 *
 * @example
 * ```ts
 * const zf = await zeilerFergus(model, loadMnist({ split: 'test' }), { layer: 'conv2', limit: 1000 });
 * zf.units[0]; // { unit, hits: [{ example, value, box, patch, projection }, …], projections, patches }
 * await writePng('zf-conv2.png', zf.image); // from @convkit/viz/node
 * ```
 */
export async function zeilerFergus(
  model: Layer,
  data: ImageSource,
  options: ZeilerFergusOptions,
): Promise<ZeilerFergusResult> {
  const op = `zeilerFergus(${options?.layer})`;
  const k = checkCount(op, 'k', options.k ?? 9);
  const count = checkCount(op, 'count', options.count ?? 8);
  const depth = fieldAt(model, [data.height, data.width, data.channels], options.layer).outputShape.at(-1) as number;
  const search = {
    layer: options.layer,
    units: options.units ?? Array.from({ length: depth }, (_, i) => i),
    k,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.preprocess ? { preprocess: options.preprocess } : {}),
  };
  const top = await topPatches(model, data, search);
  const strongest = (u: (typeof top.units)[number]) => u.hits[0]?.value ?? Number.NEGATIVE_INFINITY;
  const chosen = options.units ? top.units : [...top.units].sort((a, b) => strongest(b) - strongest(a)).slice(0, count);
  const units: { unit: number; hits: ZeilerFergusHit[] }[] = [];
  for (const { unit, hits } of chosen) {
    units.push({ unit, hits: await projectHits(model, data, unit, hits, top.field, options) });
  }
  const drawn = layout(units, top.field, data, k, options);
  const result: ZeilerFergusResult = {
    layer: options.layer,
    units: drawn.units,
    image: drawn.image,
    examples: top.examples,
    note: options.units
      ? `units ${options.units.join(', ')}; top ${k} of ${top.examples} examples`
      : `the ${chosen.length} of ${depth} units with the strongest activation over ${top.examples} examples, top ${k} each`,
  };
  if (top.field) result.field = top.field;
  return result;
}

/** The deconvnet projection of `unit` for each hit: one batch of the hits' examples, at each hit's position. */
async function projectHits(
  model: Layer,
  data: ImageSource,
  unit: number,
  hits: PatchHit[],
  field: ReceptiveField2d | undefined,
  options: ZeilerFergusOptions,
): Promise<ZeilerFergusHit[]> {
  if (hits.length === 0) return [];
  const { height, width, channels } = data;
  const pixels = height * width * channels;
  const input = (picked: readonly PatchHit[]) => {
    const bytes = new Uint8Array(picked.length * pixels);
    for (const [i, hit] of picked.entries()) {
      bytes.set(data.images.subarray(hit.example * pixels, (hit.example + 1) * pixels), i * pixels);
    }
    const shape: [number, number, number, number] = [picked.length, height, width, channels];
    return options.preprocess
      ? options.preprocess(bytes, shape)
      : tf.tidy(() => tf.div(tf.tensor4d(bytes, shape, 'float32'), 255) as tf.Tensor4D);
  };
  const project = async (picked: readonly PatchHit[], position: [number, number] | 'max') => {
    const x = input(picked);
    const target = { layer: options.layer, channel: unit, position, passThrough: options.passThrough ?? [] };
    return deconvnet(model, x, target).finally(() => x.dispose());
  };
  // Batched, each example at its strongest place: topPatches' choice too (first maximum, row-major).
  const batch = await project(hits, 'max');
  const out: ZeilerFergusHit[] = [];
  for (const [i, hit] of hits.entries()) {
    const [y, x] = batch.units[i]?.position ?? [hit.y, hit.x];
    // A tie broken differently by another batch's arithmetic: project this hit alone, where topPatches found it.
    const alone = y === hit.y && x === hit.x ? undefined : await project([hit], [hit.y, hit.x]);
    const full = projectionImage(alone ?? batch, alone ? 0 : i);
    out.push({ ...hit, projection: fieldWindow(full, field, hit, height, width) });
  }
  return out;
}

/** The receptive field's full window of an input-sized image, mid gray where it leaves the image. */
function fieldWindow(
  image: RgbaImage,
  field: ReceptiveField2d | undefined,
  hit: PatchHit,
  height: number,
  width: number,
): RgbaImage {
  const { full } = fieldBox(field, hit.y, hit.x, height, width);
  const cell = createImage(full.width, full.height, GRAY);
  drawImage(cell, image, -full.left, -full.top);
  return cell;
}

/** Each unit's projections (a square-ish block) beside its patches, units `columns` to a row. */
function layout(
  units: { unit: number; hits: ZeilerFergusHit[] }[],
  field: ReceptiveField2d | undefined,
  data: ImageSource,
  k: number,
  options: ZeilerFergusOptions,
): { image: RgbaImage; units: ZeilerFergusUnit[] } {
  const op = `zeilerFergus(${options.layer})`;
  const scale = checkCount(op, 'scale', options.scale ?? 3);
  const spacing = checkCount(op, 'spacing', options.spacing ?? 8, true);
  const background = options.background ?? WHITE;
  const inner = { columns: Math.ceil(Math.sqrt(k)), scale, spacing: 1, background };
  const gap = Math.max(2, Math.round(spacing / 2));
  const blocks = units.map(({ hits }) => {
    const cells = (draw: (i: number) => RgbaImage) => Array.from({ length: k }, (_, i) => draw(i));
    const empty = () => patchCell(undefined, field, data.height, data.width);
    const left = tileGrid(
      cells((i) => hits[i]?.projection ?? empty()),
      inner,
      op,
    ).image;
    const right = tileGrid(
      cells((i) => patchCell(hits[i], field, data.height, data.width)),
      inner,
      op,
    ).image;
    const block = createImage(left.width + gap + right.width, Math.max(left.height, right.height), background);
    drawImage(block, left, 0, 0);
    drawImage(block, right, left.width + gap, 0);
    return { block, left, right };
  });
  const columns = checkCount(op, 'columns', options.columns ?? 2);
  const grid = tileGrid(
    blocks.map((b) => b.block),
    { columns, spacing, background },
    op,
  );
  return {
    image: grid.image,
    units: units.map((u, i) => {
      const at = grid.placements[i] as TilePlacement;
      const { left, right } = blocks[i] as (typeof blocks)[number];
      return {
        ...u,
        projections: { x: at.x, y: at.y, width: left.width, height: left.height },
        patches: { x: at.x + left.width + gap, y: at.y, width: right.width, height: right.height },
      };
    }),
  };
}
