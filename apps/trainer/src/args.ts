import { BACKEND_CHOICES, type BackendChoice, isBackendChoice } from '@convkit/backend/names';
import { didYouMean, UsageError } from './errors.js';

/** A flag's value as a positive integer, or a UsageError naming the flag and the value. */
export function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${flag} must be a positive integer, received ${JSON.stringify(value)}`);
  return n;
}

/** A flag's value as a finite number > 0 (a learning rate of 0 trains nothing). */
export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0) || value.trim() === '') {
    throw new UsageError(`--${flag} must be a number > 0, received ${JSON.stringify(value)}`);
  }
  return n;
}

/** Seeds are 32-bit: every seeded stream mixes them as unsigned 32-bit integers. */
export const MAX_SEED = 2 ** 32 - 1;

/** `--seed`: an integer in [0, 2³² − 1], the range every seeded stream mixes (1.5 or 1e300 would be silently truncated). */
export function seedValue(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > MAX_SEED) {
    throw new UsageError(`--seed must be an integer from 0 to ${MAX_SEED}, received ${JSON.stringify(value)}`);
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

/**
 * `--backend`: one of `@convkit/backend`'s names, checked here so that every
 * command refuses a misspelt one the same way (exit 2, the close name
 * suggested) before it loads tfjs or reads a run.
 */
export function backendFlag(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || isBackendChoice(value)) return value;
  throw new UsageError(
    `--backend must be one of ${BACKEND_CHOICES.join(', ')}, received ${JSON.stringify(value)}${didYouMean(value, BACKEND_CHOICES)}`,
  );
}
