import type { ReceptiveField2d } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';

/**
 * The batch's images moved by `dy` rows down and `dx` columns right
 * (negative: up, left), zeros filling what comes in from outside:
 * `out[i, j] = x[i − dy, j − dx]`. NHWC.
 *
 * @example
 * ```ts
 * shiftImages(x, 0, 2); // two pixels to the right
 * ```
 */
export function shiftImages(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const padded = tf.pad(x, [
      [0, 0],
      [Math.max(dy, 0), Math.max(-dy, 0)],
      [Math.max(dx, 0), Math.max(-dx, 0)],
      [0, 0],
    ]);
    return tf.slice(padded, [0, Math.max(-dy, 0), Math.max(-dx, 0), 0], [n, h, w, c]);
  });
}

/**
 * Output positions `i` (along one axis, `0 … out − 1`) whose receptive
 * field sees only real pixels both in the shifted input (shift `d`) and, at
 * `i − m`, in the original one: neither padding nor the zeros a shift
 * brings in. Returns `[first, last]`, empty when `first > last`.
 */
export function interiorRange(
  field: ReceptiveField2d,
  axis: 0 | 1,
  size: number,
  out: number,
  d: number,
  m: number,
): [number, number] {
  const top = (i: number) => Math.round(field.start[axis] + i * field.jump[axis] - (field.size[axis] - 1) / 2);
  const span = field.size[axis];
  const ok = (i: number) => {
    const t = top(i);
    const shiftedOk = t >= Math.max(0, d) && t + span - 1 <= size - 1 + Math.min(0, d);
    const back = t - m * field.jump[axis];
    const originalOk = i - m >= 0 && i - m < out && back >= 0 && back + span - 1 <= size - 1;
    return shiftedOk && originalOk;
  };
  let first = 0;
  while (first < out && !ok(first)) first++;
  let last = out - 1;
  while (last >= first && !ok(last)) last--;
  return [first, last];
}
