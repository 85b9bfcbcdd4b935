/**
 * mulberry32, a small seeded generator of floats in [0, 1): the same seed
 * gives the same sequence on every machine. It lives here, in the package
 * with no dependencies, so that every package and test that needs seeded
 * numbers (shuffling, generated test data, benchmark weights) shares one copy.
 * Not for cryptography.
 *
 * @param seed Any number; it is taken modulo 2³² (as `seed >>> 0`).
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // the same value on every run
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
