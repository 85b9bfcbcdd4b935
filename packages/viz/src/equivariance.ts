import { ConfigError, type Layer } from '@convkit/layers';
import type { ReceptiveField2d } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { drawFeatureMaps } from './feature-maps.js';
import { tileGrid } from './grid.js';
import type { RgbaImage } from './image.js';
import { activationAt, fieldAt } from './model-path.js';
import { interiorRange, shiftImages } from './shift.js';
import { readValues, type TensorInput, type Values } from './tensor-data.js';

/** A shift in pixels: a number moves right by that much, `[dy, dx]` down and right (negative: up, left). */
export type Shift = number | readonly [number, number];

/** Options of {@link shiftEquivariance}. */
export interface ShiftEquivarianceOptions {
  /** The layer whose output maps are compared. */
  layer: string;
  shift: Shift;
  /** Channel drawn in `image`. Default 0. */
  channel?: number;
  /** Pixel scale of `image`. Default 4. */
  scale?: number;
}

/** Where two maps were compared: rows `top …` and columns `left …` of the shifted input's map. */
export interface Region {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** What {@link shiftEquivariance} measured. */
export interface EquivarianceResult {
  layer: string;
  shift: [number, number];
  /** Input pixels between neighbouring units of the layer (the product of strides). */
  jump: [number, number];
  /** `round(shift / jump)`: how far the maps are expected to move. */
  mapShift: [number, number];
  /** The shift is a multiple of the jump, so an equivariant layer gives `maxAbsError` 0. */
  exact: boolean;
  /** Largest |conv(shift(x)) − shift(conv(x))| over the interior, all channels. */
  maxAbsError: number;
  /** ‖conv(shift(x)) − shift(conv(x))‖₂ / ‖shift(conv(x))‖₂ over the interior. */
  relativeError: number;
  /** Fraction of the compared values that are exactly equal. */
  unchangedFraction: number;
  /** The same among values not zero in either map. */
  unchangedActiveFraction: number;
  /** Values compared (interior positions × channels). */
  compared: number;
  interior: Region;
  /** Input, shifted input, their maps for `channel`, and |difference| (black = 0) on the interior. */
  image: RgbaImage;
}

/**
 * Measures shift equivariance at a layer: moves the input by `shift`
 * pixels and compares the layer's maps with the original maps moved by
 * `shift / jump` units (the jump, the product of strides, from
 * `@convkit/shape`), on the interior where neither padding nor the pixels
 * the shift brings in reach. Convolutions give 0 whenever the shift is a
 * multiple of the jump; a stride-2 pooling under an odd shift does not.
 *
 * Returns a Promise: the input and the maps are read with `await t.data()`,
 * which does not stall a page on WebGPU. The input is not disposed.
 *
 * @example
 * ```ts
 * const r = await shiftEquivariance(model, x, { layer: 'conv1', shift: 2 });
 * r.maxAbsError; // 0: the maps moved by exactly 2
 * ```
 */
export async function shiftEquivariance(
  model: Layer,
  input: TensorInput,
  options: ShiftEquivarianceOptions,
): Promise<EquivarianceResult> {
  const op = `shiftEquivariance(${options?.layer})`;
  const shift = toShift(op, options.shift);
  const probe = await measure(model, await readInput(input, op), options.layer, shift, op);
  const { field } = probe;
  const mapShift: [number, number] = [Math.round(shift[0] / field.jump[0]), Math.round(shift[1] / field.jump[1])];
  const exact = shift[0] % field.jump[0] === 0 && shift[1] % field.jump[1] === 0;
  const stats = compare(probe, shift, mapShift, op);
  return {
    layer: options.layer,
    shift,
    jump: [...field.jump],
    mapShift,
    exact,
    ...stats,
    image: panels(probe, stats, mapShift, options.channel ?? 0, options.scale ?? 4, op),
  };
}

/** Options of {@link poolingInvariance}. */
export interface PoolingInvarianceOptions {
  /** The (pooling) layer whose outputs should not change. */
  layer: string;
  /** Shifts to try. Default `[1, 2]` (to the right). */
  shifts?: readonly Shift[];
  /** A value counts as unchanged within `tolerance × max |output|`. Default 1e-6. */
  tolerance?: number;
  channel?: number;
  scale?: number;
}

/** What {@link poolingInvariance} measured for one shift. */
export interface InvarianceRow {
  shift: [number, number];
  /** ‖f(shift(x)) − f(x)‖₂ / ‖f(x)‖₂ over the interior. */
  relativeChange: number;
  maxAbsChange: number;
  /** Fraction of interior outputs (all channels) that did not change. */
  unchangedFraction: number;
  /**
   * The same among outputs that are not zero before or after the shift:
   * zeros (a ReLU's, or a blank background's) stay zero under any shift, and
   * would otherwise count as invariance.
   */
  unchangedActiveFraction: number;
  compared: number;
  interior: Region;
}

/**
 * How much a layer's outputs change, in place, when the input moves by a
 * few pixels: small shifts leave many max-pooled outputs unchanged (their
 * maximum stays inside the window), which is the invariance pooling buys.
 * Compared on the interior (no padding, no shifted-in pixels). Returns a
 * Promise, like {@link shiftEquivariance}.
 *
 * @example
 * ```ts
 * const r = await poolingInvariance(model, x, { layer: 'pool1', shifts: [1] });
 * r.rows[0].unchangedFraction; // e.g. 0.41
 * ```
 */
export async function poolingInvariance(
  model: Layer,
  input: TensorInput,
  options: PoolingInvarianceOptions,
): Promise<{ layer: string; rows: InvarianceRow[]; image: RgbaImage }> {
  const op = `poolingInvariance(${options?.layer})`;
  const shifts = (options.shifts ?? [1, 2]).map((s) => toShift(op, s));
  if (shifts.length === 0) throw new ConfigError(op, 'needs at least one shift, received []');
  const tolerance = options.tolerance ?? 1e-6;
  const values = await readInput(input, op);
  let image: RgbaImage | undefined;
  const rows: InvarianceRow[] = [];
  for (const [i, shift] of shifts.entries()) {
    const probe = await measure(model, values, options.layer, shift, op);
    const stats = compare(probe, shift, [0, 0], op, tolerance);
    if (i === 0) image = panels(probe, stats, [0, 0], options.channel ?? 0, options.scale ?? 4, op);
    rows.push({
      shift,
      relativeChange: stats.relativeError,
      maxAbsChange: stats.maxAbsError,
      unchangedFraction: stats.unchangedFraction,
      unchangedActiveFraction: stats.unchangedActiveFraction,
      compared: stats.compared,
      interior: stats.interior,
    });
  }
  return { layer: options.layer, rows, image: image as RgbaImage };
}

function toShift(op: string, shift: Shift | undefined): [number, number] {
  const pair: readonly unknown[] = typeof shift === 'number' ? [0, shift] : Array.isArray(shift) ? shift : [];
  if (pair.length !== 2 || !pair.every((v) => Number.isInteger(v))) {
    throw new ConfigError(op, `shift must be an integer or [dy, dx] integers, received ${JSON.stringify(shift)}`);
  }
  return [pair[0] as number, pair[1] as number];
}

interface Probe {
  field: ReceptiveField2d;
  inputShape: number[];
  x: Float32Array;
  shifted: Float32Array;
  /** f(x) and f(shift(x)), `[n, oh, ow, c]`. */
  original: Float32Array;
  moved: Float32Array;
  map: [number, number, number, number];
}

function readInput(input: TensorInput, op: string): Promise<Values> {
  return readValues(input, 4, op, 'the input (NHWC: [batch, h, w, channels])');
}

async function measure(
  model: Layer,
  values: Values,
  layer: string,
  [dy, dx]: [number, number],
  op: string,
): Promise<Probe> {
  const [, h, w, c] = values.shape as [number, number, number, number];
  const geometry = fieldAt(model, [h, w, c], layer);
  if (!geometry.receptiveField || geometry.outputShape.length !== 3) {
    throw new ConfigError(
      op,
      `needs a layer whose output is still an image, ${layer} gives [${geometry.outputShape.join(', ')}]: pick a convolution or pooling layer`,
    );
  }
  if (Math.abs(dy) >= h || Math.abs(dx) >= w) {
    throw new ConfigError(
      op,
      `a shift of [${dy}, ${dx}] moves a ${h}×${w} input out of the frame: use a smaller shift`,
    );
  }
  const tensors = tf.tidy(() => {
    const t = tf.tensor4d(values.data, values.shape as [number, number, number, number]);
    const s = shiftImages(t, dy, dx);
    return [s, activationAt(model, t, layer), activationAt(model, s, layer)];
  });
  try {
    const [shifted, original, moved] = await Promise.all(tensors.map((t) => t.data()));
    return {
      field: geometry.receptiveField,
      inputShape: values.shape,
      x: values.data,
      shifted: Float32Array.from(shifted as ArrayLike<number>),
      original: Float32Array.from(original as ArrayLike<number>),
      moved: Float32Array.from(moved as ArrayLike<number>),
      map: (tensors[1] as tf.Tensor).shape as [number, number, number, number],
    };
  } finally {
    for (const t of tensors) t.dispose();
  }
}

interface Stats {
  maxAbsError: number;
  relativeError: number;
  compared: number;
  unchangedFraction: number;
  unchangedActiveFraction: number;
  interior: Region;
}

/** Compares `moved[i]` (f of the shifted input) with `original[i − m]` on the interior. */
function compare(probe: Probe, shift: [number, number], m: [number, number], op: string, tolerance = 0): Stats {
  const [n, oh, ow, c] = probe.map;
  const [, h, w] = probe.inputShape as [number, number, number, number];
  const [y0, y1] = interiorRange(probe.field, 0, h, oh, shift[0], m[0]);
  const [x0, x1] = interiorRange(probe.field, 1, w, ow, shift[1], m[1]);
  if (y0 > y1 || x0 > x1) {
    throw new ConfigError(
      op,
      `no interior left to compare: the receptive field (${probe.field.size.join('×')}) plus a shift of [${shift.join(', ')}] covers the ${h}×${w} input; use a larger input or a smaller shift`,
    );
  }
  let peak = 0;
  for (const v of probe.original) peak = Math.max(peak, Math.abs(v));
  let maxAbs = 0;
  let diff2 = 0;
  let ref2 = 0;
  let same = 0;
  let active = 0;
  let sameActive = 0;
  let compared = 0;
  for (let b = 0; b < n; b++) {
    for (let i = y0; i <= y1; i++) {
      for (let j = x0; j <= x1; j++) {
        for (let k = 0; k < c; k++) {
          const got = probe.moved[((b * oh + i) * ow + j) * c + k] as number;
          const want = probe.original[((b * oh + i - m[0]) * ow + j - m[1]) * c + k] as number;
          const d = Math.abs(got - want);
          maxAbs = Math.max(maxAbs, d);
          diff2 += d * d;
          ref2 += want * want;
          const threshold = tolerance * (peak || 1);
          if (d <= threshold) same++;
          if (Math.abs(want) > threshold || Math.abs(got) > threshold) {
            active++;
            if (d <= threshold) sameActive++;
          }
          compared++;
        }
      }
    }
  }
  return {
    maxAbsError: maxAbs,
    relativeError: ref2 > 0 ? Math.sqrt(diff2 / ref2) : Math.sqrt(diff2),
    compared,
    unchangedFraction: same / compared,
    unchangedActiveFraction: active > 0 ? sameActive / active : 1,
    interior: { top: y0, left: x0, height: y1 - y0 + 1, width: x1 - x0 + 1 },
  };
}

/** Input, shifted input (gray), both maps (viridis, one scale), |difference| on the interior (gray). */
function panels(
  probe: Probe,
  stats: Stats,
  m: [number, number],
  channel: number,
  scale: number,
  op: string,
): RgbaImage {
  const [, oh, ow, c] = probe.map;
  const [, h, w, ic] = probe.inputShape as [number, number, number, number];
  if (!Number.isInteger(channel) || channel < 0 || channel >= c) {
    throw new ConfigError(op, `channel ${channel} is out of range for a layer with ${c} channels`);
  }
  const plane = (data: Float32Array, height: number, width: number, depth: number, k: number) => {
    const out = new Float32Array(height * width);
    for (let p = 0; p < height * width; p++) out[p] = data[p * depth + k] as number;
    return { data: out, shape: [1, height, width, 1] };
  };
  const a = plane(probe.original, oh, ow, c, channel);
  const b = plane(probe.moved, oh, ow, c, channel);
  const diff = new Float32Array(oh * ow);
  const { top, left, height, width } = stats.interior;
  for (let i = top; i < top + height; i++) {
    for (let j = left; j < left + width; j++) {
      diff[i * ow + j] = Math.abs((b.data[i * ow + j] as number) - (a.data[(i - m[0]) * ow + j - m[1]] as number));
    }
  }
  const both = new Float32Array(2 * oh * ow);
  both.set(a.data);
  both.set(b.data, oh * ow);
  // Only the range is wanted; the layout of the two planes does not change it.
  const [lo, hi] = drawFeatureMaps({ data: both, shape: [1, oh, 2 * ow, 1] }).range;
  const peak = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const up = Math.max(1, Math.round(probe.field.jump[0]));
  const gray = (p: Values) => drawFeatureMaps(p, { colormap: 'gray', spacing: 0, scale }).image;
  const maps = (p: Values, range: [number, number], map: 'viridis' | 'gray') =>
    drawFeatureMaps(p, { colormap: map, range, spacing: 0, scale: scale * up }).image;
  const tiles = [
    gray(plane(probe.x, h, w, ic, 0)),
    gray(plane(probe.shifted, h, w, ic, 0)),
    maps(a, [lo, hi], 'viridis'),
    maps(b, [lo, hi], 'viridis'),
    maps({ data: diff, shape: [1, oh, ow, 1] }, [0, peak], 'gray'),
  ];
  return tileGrid(tiles, { columns: 5, spacing: 4 }, op).image;
}
