import { describe, expect, it } from 'vitest';
import { gflops, predictMs, ratiosToFastest, summarize } from './stats.js';

describe('summarize', () => {
  it('takes the middle sample of an odd count, whatever the order', () => {
    expect(summarize([30, 10, 20])).toEqual({ medianMs: 20, minMs: 10, maxMs: 30, runs: 3 });
  });

  it('averages the two middle samples of an even count', () => {
    expect(summarize([4, 1, 3, 2]).medianMs).toBe(2.5);
  });

  it('refuses an empty list rather than inventing a number', () => {
    expect(() => summarize([])).toThrow(/at least one sample/);
  });
});

describe('gflops', () => {
  it('counts two FLOPs per MAC: 1e9 MACs in 10 ms is 200 GFLOP/s', () => {
    expect(gflops(1e9, 10)).toBeCloseTo(200, 10);
  });
});

describe('ratiosToFastest', () => {
  it('divides by the smallest time and keeps gaps', () => {
    expect(ratiosToFastest([20, undefined, 10, 40])).toEqual([2, undefined, 1, 4]);
  });

  it('has no ratios when nothing ran', () => {
    expect(ratiosToFastest([undefined, undefined])).toEqual([undefined, undefined]);
  });
});

describe('predictMs', () => {
  it('scales a measured time by the MAC ratio', () => {
    expect(predictMs(1_540, 714e6, 15_470e6)).toBeCloseTo(33_367, 0);
  });
});
