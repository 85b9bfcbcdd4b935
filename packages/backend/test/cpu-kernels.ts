// Helpers for the cpu kernel tests (imported by *.test.ts only, never by the library).
import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { cpuKernels } from '../src/cpu/index.js';
import { initBackend } from '../src/init.js';
import { type KernelSet, useKernels } from '../src/kernels.js';

/** shape's seeded generator (mulberry32), so failing geometries reproduce. */
export const seededRandom = mulberry32;

/** An integer in [low, high]. */
export function randomInt(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** One of the items. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

/** `size` uniform values in [-1, 1). */
export function randomValues(random: () => number, size: number): Float32Array {
  return Float32Array.from({ length: size }, () => random() * 2 - 1);
}

/** Runs `compute` with one kernel set installed on the cpu backend and returns the values of what it returns. */
export function runWith(set: KernelSet, compute: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  useKernels('cpu', cpuKernels, set);
  try {
    return collect(compute);
  } finally {
    useKernels('cpu', cpuKernels, 'convkit');
  }
}

function collect(compute: () => tf.Tensor | tf.Tensor[]): Float32Array[] {
  const tensors = tf.tidy(() => {
    const result = compute();
    return Array.isArray(result) ? result : [result];
  });
  const values = tensors.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(tensors);
  return values;
}

/**
 * The largest error of `actual` against `expected`, relative to
 * `1 + |expected|` (relative for large values, absolute near zero);
 * Infinity when the lengths differ or only one side is NaN.
 */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      if (Number.isNaN(a) !== Number.isNaN(e)) return Number.POSITIVE_INFINITY;
      continue;
    }
    if (a === e) continue;
    worst = Math.max(worst, Math.abs(a - e) / (1 + Math.abs(e)));
  }
  return worst;
}

/** In a `describe`: start the cpu backend once, and fail any test that leaves tensors behind. */
export function cpuBackendWithoutLeaks(): void {
  let tensorsBefore = 0;
  beforeAll(async () => {
    await initBackend('cpu');
  });
  beforeEach(() => {
    tensorsBefore = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
}
