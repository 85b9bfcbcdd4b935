import { describe, expect, it } from 'vitest';
import { mulberry32 } from './index.js';

/** mulberry32 written again in BigInt arithmetic modulo 2³², as a reference independent of Math.imul and `>>> 0`. */
function reference(seed: number, count: number): number[] {
  const M = 1n << 32n;
  const u32 = (x: bigint) => ((x % M) + M) % M;
  const mul = (a: bigint, b: bigint) => u32(a * b);
  let state = u32(BigInt(seed));
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    state = u32(state + 0x6d2b79f5n);
    let t = mul(state ^ (state >> 15n), state | 1n);
    t = u32(t ^ u32(t + mul(t ^ (t >> 7n), t | 61n)));
    out.push(Number(t ^ (t >> 14n)) / 2 ** 32);
  }
  return out;
}

describe('mulberry32', () => {
  it('gives the reference sequence, bit for bit, for several seeds (negative and large ones wrap to 32 bits)', () => {
    for (const seed of [0, 1, 7, 2024, 0xffffffff, -3, 2 ** 40 + 5]) {
      const random = mulberry32(seed);
      const ours = Array.from({ length: 64 }, () => random());
      expect(ours, `seed ${seed}`).toEqual(reference(seed, 64));
    }
  });

  it('stays in [0, 1), and the same seed gives the same sequence', () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(b()).toBe(x);
    }
  });
});
