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
