import { ConfigError } from '@convkit/layers';
import type * as tf from '@tensorflow/tfjs-core';

/** Plain numbers with a shape, row-major: what `await t.data()` and `t.shape` give. */
export interface TensorLike {
  data: ArrayLike<number>;
  shape: readonly number[];
}

/** A tensor, or its values and shape as plain data. */
export type TensorInput = tf.Tensor | TensorLike;

/** Values copied out of a tensor or plain data, with the shape checked. */
export interface Values {
  data: Float32Array;
  shape: number[];
}

function isTensor(x: TensorInput): x is tf.Tensor {
  return typeof (x as tf.Tensor).data === 'function';
}

/**
 * The values of a tensor or of `{ data, shape }`, copied into a new
 * `Float32Array`, after checking the rank and the element count. A tensor
 * is read with `await t.data()`: a synchronous read would stall a page on
 * WebGPU (and returns blank data on some adapters). The tensor is not
 * disposed: dispose it once the promise has settled.
 *
 * @example
 * ```ts
 * (await readValues({ data: [1, 2, 3, 4], shape: [2, 2] }, 2, 'filterGrid', 'kernel')).shape; // [2, 2]
 * ```
 */
export async function readValues(x: TensorInput, rank: number, op: string, what: string): Promise<Values> {
  if (x == null || typeof x !== 'object' || !('shape' in x)) {
    throw new ConfigError(op, `${what} must be a tensor or { data, shape }, received ${String(x)}`);
  }
  const shape = [...x.shape];
  if (shape.length !== rank) {
    throw new ConfigError(op, `${what} must have rank ${rank}, received shape [${shape.join(', ')}]`);
  }
  // The shape is checked before the read, so a wrong tensor fails without waiting for the device.
  const data = Float32Array.from(isTensor(x) ? await x.data() : x.data);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new ConfigError(
      op,
      `${what} of shape [${shape.join(', ')}] needs ${expected} values, received ${data.length}`,
    );
  }
  return { data, shape };
}

/** The smallest and largest finite values (`[0, 0]` when there is none). */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : [0, 0];
}

/** `v` mapped linearly from `[min, max]` to `[0, 1]`; a flat range maps everything to 0.5. */
export function unit(v: number, min: number, max: number): number {
  return max > min ? (v - min) / (max - min) : 0.5;
}
