import { describe, expect, it } from 'vitest';
import { ClassificationMetrics, inTopK } from './metrics.js';

/** The definition, spelled out: sort classes by score (ties: true class last), take the first k. */
function naiveTopK(scores: number[], label: number, k: number): boolean {
  const order = scores
    .map((s, c) => ({ s, c }))
    .sort((a, b) => b.s - a.s || (a.c === label ? 1 : b.c === label ? -1 : 0))
    .map(({ c }) => c);
  return order.slice(0, k).includes(label);
}

describe('metrics', () => {
  it('top-5 error equals a naive count on a hand-built case', () => {
    // 7 classes, 4 examples; true classes 0, 3, 6, 2
    const scores = [
      [9, 1, 2, 3, 4, 5, 6], // label 0 ranked 1st: top-1 and top-5 hit
      [7, 6, 5, 4, 3, 2, 1], // label 3 ranked 4th: top-5 hit only
      [7, 6, 5, 4, 3, 2, 1], // label 6 ranked 7th: miss
      [1, 2, 3, 9, 8, 7, 6], // label 0 ranked 7th: miss
    ];
    const labels = [0, 3, 6, 0];
    const m = new ClassificationMetrics(7);
    m.add(scores.flat(), labels, 0.5);
    const naive5 = labels.filter((l, i) => !naiveTopK(scores[i] as number[], l, 5)).length / 4;
    expect(m.top5Error).toBe(naive5);
    expect(m.top5Error).toBe(0.5);
    expect(m.top1Error).toBe(0.75);
    expect(m.loss).toBe(0.5);
  });

  it('agrees with the naive definition on random scores, ties included', () => {
    let state = 7;
    const random = () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      return state / 2 ** 31;
    };
    for (let t = 0; t < 500; t++) {
      const scores = Array.from({ length: 8 }, () => Math.floor(random() * 4)); // many ties
      const label = Math.floor(random() * 8);
      for (const k of [1, 3, 5]) expect(inTopK(scores, label, k)).toBe(naiveTopK(scores, label, k));
    }
  });

  it('confusion matrix and per-class accuracy', () => {
    const m = new ClassificationMetrics(3);
    m.add([1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1], [0, 1, 2, 2]);
    expect(m.matrix).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 1],
    ]);
    expect(m.perClassAccuracy()).toEqual([1, 1, 0.5]);
    expect(m.examples).toBe(4);
  });

  it('with fewer than five classes, top-5 counts every example', () => {
    const m = new ClassificationMetrics(2);
    m.add([0, 1, 1, 0], [0, 0]);
    expect(m.top5Error).toBe(0);
    expect(m.top1Error).toBe(0.5);
  });

  it('rejects a batch whose scores do not match labels × classes', () => {
    expect(() => new ClassificationMetrics(3).add([1, 2], [0])).toThrow(/2 values; 1 labels × 3 classes need 3/);
  });
});
