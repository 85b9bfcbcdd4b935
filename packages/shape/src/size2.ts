import { assertPositiveInt, ShapeError, show } from './errors.js';

/** A 2-D size: one number for both axes, or `[height, width]`. */
export type Size2 = number | readonly [height: number, width: number];

/** `[height, width]` from a {@link Size2}, each a positive integer. */
export function toPair(op: string, what: string, value: Size2): [number, number] {
  if (typeof value === 'number') {
    assertPositiveInt(op, what, value);
    return [value, value];
  }
  if (!Array.isArray(value) || value.length !== 2) {
    throw new ShapeError(op, `${what} must be a number or [height, width], received ${show(value)}`, { [what]: value });
  }
  const [h, w] = value as readonly [number, number];
  assertPositiveInt(op, `${what} height`, h);
  assertPositiveInt(op, `${what} width`, w);
  return [h, w];
}
