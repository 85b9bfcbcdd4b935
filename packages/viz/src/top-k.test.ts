import { describe, expect, it } from 'vitest';
import { TopK } from './top-k.js';

describe('TopK', () => {
  it('keeps the k largest of a stream, as a full sort would', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const items = Array.from({ length: 500 }, (_, i) => ({ value: Math.floor(random() * 50), i }));
    const top = new TopK<(typeof items)[number]>(12);
    for (const item of items) top.push(item);
    // Ties: the earlier item wins, as a stable sort by value keeps it.
    const expected = [...items].sort((a, b) => b.value - a.value).slice(0, 12);
    expect(top.sorted()).toEqual(expected);
    expect(top.size).toBe(12);
  });

  it('keeps everything while fewer than k arrive', () => {
    const top = new TopK<{ value: number }>(5);
    top.push({ value: 1 });
    top.push({ value: 3 });
    expect(top.sorted()).toEqual([{ value: 3 }, { value: 1 }]);
    expect(top.accepts(-10)).toBe(true);
  });
});
