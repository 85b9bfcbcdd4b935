// Inputs and a bitwise comparison for the wasm kernels that must give tfjs-cpu's exact bits
// (MaxPool, MaxPoolGrad): ties, ±0, NaN and infinities where float order is subtle.
import { seeded } from './wasm-oracles.js';

/** Every class of float32 an ordering must get right, ties and ±0 included. */
export const SPECIALS = [
  0,
  -0,
  1,
  -1,
  0.5,
  1,
  Infinity,
  -Infinity,
  NaN,
  1e-45,
  -1e-45,
  3.4028235e38,
  -3.4028235e38,
  2 ** -20,
];

/** Values of one of three kinds: ReLU output (ties at 0), a coarse grid (ties), or {@link SPECIALS}. */
export function tieValues(kind: 'relu' | 'grid' | 'special', size: number, seed: number): Float32Array {
  const random = seeded(size, seed);
  if (kind === 'relu') return random.map((v) => Math.max(0, v));
  if (kind === 'grid') return random.map((v) => Math.round(v * 2) - 1);
  return Float32Array.from(random, (v) => SPECIALS[Math.floor(Math.abs(v) * 1e4) % SPECIALS.length] ?? 0);
}

/** Elements that differ as bits (Object.is: +0 ≠ −0, NaN = NaN); Infinity for different lengths. */
export function differingBits(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  return a.filter((v, i) => !Object.is(v, b[i])).length;
}

/** NHWC inputs of the 2×2 stride-2 pools: odd sizes, C = 1…16 (vectors, an overlapping last one, scalars). */
export const POOL_2X2_SHAPES = [
  [2, 9, 7, 1], // C = 1, a row and a column left over
  [3, 8, 6, 3],
  [2, 12, 12, 6],
  [2, 28, 28, 6], // LeNet-5's first pool, smaller batch: a vector and an overlapping one
  [2, 10, 10, 16], // LeNet-5's second pool
  [2, 5, 5, 2],
  [1, 6, 9, 5],
  [1, 4, 4, 7],
  [2, 3, 3, 4],
  [1, 3, 2, 3], // one window, its row and column both left over on one side
  [1, 2, 2, 13],
];
