import { ConfigError } from '@convkit/layers';
import type * as tf from '@tensorflow/tfjs-core';

/** Which unit a projection starts from: a channel of a layer's output, at a position of its map. */
export interface UnitTarget {
  /** The layer whose unit is projected (a name from `layerNames`). */
  layer: string;
  /**
   * The channel (a class, for a flat output): one for the whole batch, or one
   * per example. Default: per example, the channel with the largest activation.
   */
  channel?: number | readonly number[];
  /**
   * Where in the layer's output map, `[y, x]` for every example, or `'max'`
   * (default): per example, where the channel is largest (first such place,
   * row-major). Ignored for a flat output (`[batch, channels]`).
   */
  position?: readonly [number, number] | 'max';
}

/** The unit chosen in each example of a batch. */
export interface ChosenUnit {
  channel: number;
  /** `[y, x]` in the layer's output map; `[0, 0]` for a flat output. */
  position: [number, number];
  /** The unit's activation (the class score, for a flat output). */
  value: number;
}

/** The chosen units and a one-hot selector with the layer output's shape (1 at each example's unit). */
export interface LocatedUnits {
  units: ChosenUnit[];
  selector: Float32Array;
}

/**
 * Finds each example's unit in a layer's output (`[n, h, w, c]` or `[n, c]`)
 * with one asynchronous read, and returns a selector with 1 at those units:
 * `selector · output` is the unit's value, the seed a deconvnet starts from
 * and the score a gradient is taken of.
 */
export async function locateUnits(output: tf.Tensor, target: UnitTarget, op: string): Promise<LocatedUnits> {
  const [n, h, w, c] = output.rank === 4 ? output.shape : [output.shape[0], 1, 1, output.shape[1]];
  if ((output.rank !== 4 && output.rank !== 2) || n === undefined || c === undefined) {
    throw new ConfigError(
      op,
      `${target.layer}'s output is [${output.shape.join(', ')}]: a unit needs an NHWC map [batch, h, w, channels] or [batch, channels]`,
    );
  }
  const channels = checkChannels(target, n, c, op);
  const position = output.rank === 4 ? checkPosition(target, h as number, w as number, op) : ([0, 0] as const);
  const values = await output.data();
  const units: ChosenUnit[] = [];
  const selector = new Float32Array(values.length);
  const plane = (h as number) * (w as number);
  for (let b = 0; b < n; b++) {
    const at = (p: number, ch: number) => ((b * plane + p) * c + ch) as number;
    let best = { p: 0, ch: channels?.[b] ?? 0, v: Number.NEGATIVE_INFINITY };
    const places = position === 'max' ? range(plane) : [position[0] * (w as number) + position[1]];
    for (const p of places) {
      for (const ch of channels ? [channels[b] as number] : range(c)) {
        const v = values[at(p, ch)] as number;
        if (v > best.v) best = { p, ch, v };
      }
    }
    selector[at(best.p, best.ch)] = 1;
    const value = values[at(best.p, best.ch)] as number;
    units.push({ channel: best.ch, position: [Math.floor(best.p / (w as number)), best.p % (w as number)], value });
  }
  return { units, selector };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function checkChannels(target: UnitTarget, n: number, c: number, op: string): number[] | undefined {
  const { channel } = target;
  if (channel === undefined) return undefined;
  const list = typeof channel === 'number' ? Array.from({ length: n }, () => channel) : [...channel];
  if (list.length !== n || list.some((ch) => !Number.isInteger(ch) || ch < 0 || ch >= c)) {
    throw new ConfigError(
      op,
      `channel must be one of 0 … ${c - 1} (${target.layer} has ${c} channels), or one per example (${n}), received ${JSON.stringify(channel)}`,
    );
  }
  return list;
}

function checkPosition(target: UnitTarget, h: number, w: number, op: string): readonly [number, number] | 'max' {
  const position = target.position ?? 'max';
  if (position === 'max') return position;
  const [y = -1, x = -1] = Array.isArray(position) ? position : [];
  if (!Number.isInteger(y) || !Number.isInteger(x) || y < 0 || x < 0 || y >= h || x >= w) {
    throw new ConfigError(
      op,
      `position must be 'max' or [y, x] inside ${target.layer}'s ${h}×${w} output map, received ${JSON.stringify(position)}`,
    );
  }
  return position;
}

/** Plain values with their shape: what every projection returns (a `TensorLike`, so it draws and encodes as one). */
export interface ProjectionData {
  data: Float32Array;
  shape: number[];
}

/** Reads a tensor into plain data asynchronously and disposes it. */
export async function release(t: tf.Tensor): Promise<ProjectionData> {
  try {
    const data = await t.data();
    return {
      data: data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>),
      shape: [...t.shape],
    };
  } finally {
    t.dispose();
  }
}
