import { UsageError } from './errors.js';

/** A flag's value as a positive integer, or a UsageError naming the flag and the value. */
export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${flag} must be a positive integer, received ${JSON.stringify(value)}`);
  return n;
}

/** A flag's value as a non-negative number. */
export function nonNegative(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n >= 0) || value.trim() === '') {
    throw new UsageError(`--${flag} must be a non-negative number, received ${JSON.stringify(value)}`);
  }
  return n;
}

/** `HxWxC` → `[h, w, c]`. */
export function parseShape(flag: string, value: string | undefined): [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(/[x×,]/).map(Number);
  if (parts.length !== 3 || !parts.every((p) => Number.isInteger(p) && p > 0)) {
    throw new UsageError(`--${flag} must be HxWxC (for example 224x224x3), received ${JSON.stringify(value)}`);
  }
  return parts as [number, number, number];
}
