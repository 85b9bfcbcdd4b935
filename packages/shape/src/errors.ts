/**
 * Thrown for every geometry that cannot exist: a non-integer or non-positive
 * size, a kernel larger than its padded input, channels that do not divide
 * into groups, an unknown padding mode, an output size that is not an integer
 * in strict mode.
 *
 * The message names the operation, repeats the values received and says how
 * to fix it; the same facts are on the error as fields for programs.
 *
 * @example
 * ```ts
 * try {
 *   outputSize(28, { kernel: 5, stride: 2, strict: true });
 * } catch (error) {
 *   if (error instanceof ShapeError) console.log(error.message);
 *   // outputSize: (28 + 2·0 − 5)/2 + 1 = 12.5 is not an integer: …
 * }
 * ```
 */
export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  /** The operation or layer that rejected its input, e.g. `conv1` or `outputSize`. */
  readonly op: string;
  /** The values it received, as given. */
  readonly received: Readonly<Record<string, unknown>>;

  constructor(op: string, message: string, received: Record<string, unknown> = {}) {
    super(`${op}: ${message}`);
    this.op = op;
    this.received = received;
  }
}

/** Formats a received value for a message: numbers and arrays as written, strings quoted. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Throws unless `value` is an integer ≥ 1. */
export function assertPositiveInt(op: string, what: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new ShapeError(op, `${what} must be a positive integer, received ${show(value)}`, { [what]: value });
  }
}

/** Throws unless `value` is an integer ≥ 0. */
export function assertNonNegativeInt(op: string, what: string, value: unknown): asserts value is number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new ShapeError(op, `${what} must be an integer ≥ 0, received ${show(value)}`, { [what]: value });
  }
}
