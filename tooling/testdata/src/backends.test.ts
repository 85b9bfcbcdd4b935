import { describe, expect, it } from 'vitest';
import { worstMismatch } from './backends.js';

describe('worstMismatch', () => {
  it('is -1 when every element is within atol + rtol·|expected|, equal or NaN beside NaN', () => {
    // |1.05 − 1| = 0.05 ≤ 0.01 + 0.1·1; |−2.2 − (−2)| = 0.2 ≤ 0.01 + 0.1·2
    expect(worstMismatch([1.05, -2.2, Number.NaN, 7], [1, -2, Number.NaN, 7], 0.1, 0.01)).toBe(-1);
  });

  it('names the element furthest outside the tolerance', () => {
    // excesses: 0.5 − 0.1 = 0.4 at 0, 3 − 0.1 = 2.9 at 2, within at 1
    expect(worstMismatch([0.5, 1, 3], [0, 1, 0], 0, 0.1)).toBe(2);
  });

  it('a NaN beside a number is the worst mismatch', () => {
    expect(worstMismatch([10, Number.NaN], [0, 1], 0, 0)).toBe(1);
    expect(worstMismatch([1, 2], [1, Number.NaN], 0, 0)).toBe(1);
  });
});
