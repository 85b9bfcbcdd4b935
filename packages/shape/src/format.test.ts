import { describe, expect, it } from 'vitest';
import { formatCount } from './format.js';

describe('formatCount', () => {
  it('groups digits of exact integers, signs and fractions included', () => {
    expect(formatCount(138357544)).toBe('138,357,544');
    expect(formatCount(-2800)).toBe('-2,800');
    expect(formatCount(1234.5)).toBe('1,234.5');
    expect(formatCount(Number.MAX_SAFE_INTEGER)).toBe('9,007,199,254,740,991');
  });

  it('flags counts above 2^53 as inexact instead of printing a float literal', () => {
    // 10^15·10^15-ish: what the docs' shape calculator once printed as "9.99960000400001e+29".
    const huge = 999960000400001 * 1e15;
    expect(formatCount(huge)).toBe('≈9.99960e+29 (above 2^53, not exact)');
    expect(formatCount(-(2 ** 60))).toBe('≈-1.15292e+18 (above 2^53, not exact)');
  });
});
