import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { windowOutputSize } from './formula.js';
import { explainOutputSize } from './output-size.js';
import { poolWindow, resolveWindow } from './window.js';

describe('windowOutputSize', () => {
  it('is the lecture formula, floored', () => {
    expect(windowOutputSize(227, 11, 4, [0, 0])).toBe(55); // AlexNet conv1
    expect(windowOutputSize(28, 5, 2, [0, 0])).toBe(12); // 12.5 floored
    expect(windowOutputSize(6, 3, 1, [1, 1])).toBe(6);
  });

  it('rounds up in ceil mode, dropping a last window that starts in the end padding', () => {
    expect(windowOutputSize(6, 3, 2, [0, 0], true)).toBe(3);
    // (3 + 1 + 1 − 2)/2 + 1 = 2.5 → 3 would start at 4 ≥ 3 + 1: ONNX keeps 2.
    expect(windowOutputSize(3, 2, 2, [1, 1], true)).toBe(2);
  });

  it('goes below 1 when the window does not fit, for callers that report it', () => {
    expect(windowOutputSize(2, 5, 1, [0, 0])).toBeLessThan(1);
  });

  it('agrees with explainOutputSize on a sweep', () => {
    for (let n = 1; n <= 9; n++)
      for (let k = 1; k <= n; k++)
        for (let s = 1; s <= 3; s++)
          for (const ceilMode of [false, true]) {
            const size = explainOutputSize(n, { kernel: k, stride: s, padding: [0, 1], ceilMode }).size;
            expect(windowOutputSize(n, k, s, [0, 1], ceilMode)).toBe(size);
          }
  });
});

describe('resolveWindow', () => {
  it('resolves pairs, per-side pads, output and formulas of both axes', () => {
    const w = resolveWindow('conv1', [224, 224], { kernel: 7, stride: 2, padding: 'same' });
    expect(w.kernel).toEqual([7, 7]);
    expect(w.stride).toEqual([2, 2]);
    expect(w.dilation).toEqual([1, 1]);
    expect(w.padding).toEqual([
      [2, 3],
      [2, 3],
    ]);
    expect(w.output).toEqual([112, 112]);
    expect(w.formulas[0]).toBe('(224 + 2 + 3 − 7)/2 + 1 = 112');
  });

  it('takes [height, width] kernels, strides, dilations and paddings', () => {
    const w = resolveWindow('c', [10, 12], { kernel: [3, 5], stride: [1, 2], dilation: [2, 1], padding: [1, [0, 2]] });
    expect(w.padding).toEqual([
      [1, 1],
      [0, 2],
    ]);
    expect(w.output).toEqual([8, 5]);
  });

  it('extends the end padding so that ceil mode’s last partial window exists', () => {
    const w = resolveWindow('pool', [6, 6], { kernel: 3, stride: 2, ceilMode: true });
    expect(w.output).toEqual([3, 3]);
    expect(w.padding[0]).toEqual([0, 0]);
    expect(w.extended[0]).toEqual([0, 1]);
  });

  it('throws a ShapeError naming the layer in strict mode', () => {
    expect(() => resolveWindow('conv2', [28, 28], { kernel: 5, stride: 2, strict: true })).toThrow(ShapeError);
    expect(() => resolveWindow('conv2', [28, 28], { kernel: 5, stride: 2, strict: true })).toThrow(/^conv2: /);
  });
});

describe('poolWindow', () => {
  it('gives a pool the stride of its kernel unless one is set', () => {
    expect(poolWindow({ kernel: 3 }).stride).toBe(3);
    expect(poolWindow({ kernel: [2, 3], padding: 1 })).toEqual({ kernel: [2, 3], stride: [2, 3], padding: 1 });
    expect(poolWindow({ kernel: 3, stride: 2 }).stride).toBe(2);
  });
});
