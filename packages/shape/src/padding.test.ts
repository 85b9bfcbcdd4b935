import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { outputSize } from './output-size.js';
import { paddingForOutput, resolvePadding, samePadding } from './padding.js';

describe('samePadding', () => {
  it('is (K − 1)/2 on each side for odd K at stride 1 — the lecture rule', () => {
    expect(samePadding(3)).toEqual([1, 1]);
    expect(samePadding(5)).toEqual([2, 2]);
    expect(samePadding(7)).toEqual([3, 3]);
    expect(samePadding(1)).toEqual([0, 0]);
  });

  it('puts the odd pixel at the end (SAME_UPPER), or the start when lower', () => {
    expect(samePadding(2)).toEqual([0, 1]);
    expect(samePadding(2, { lower: true })).toEqual([1, 0]);
    expect(samePadding(4)).toEqual([1, 2]);
  });

  it('accounts for dilation and, with stride > 1, the input size', () => {
    expect(samePadding(3, { dilation: 2 })).toEqual([2, 2]);
    // ONNX test_maxpool_2d_precomputed_same_upper: 5, k 3, s 2 → out 3, total 2.
    expect(samePadding(3, { stride: 2, size: 5 })).toEqual([1, 1]);
    // TensorFlow's conv 7×7/2 on 224: total 5, 2 before and 3 after.
    expect(samePadding(7, { stride: 2, size: 224 })).toEqual([2, 3]);
  });

  it('needs the size when stride > 1', () => {
    expect(() => samePadding(3, { stride: 2 })).toThrow(
      'samePadding: with stride 2 the padding depends on the input size: pass { size }',
    );
  });

  it('gives ceil(n / s) outputs with minimal padding (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (size, kernel, stride, dilation) => {
          const [before, after] = samePadding(kernel, { stride, dilation, size });
          expect(Math.abs(after - before)).toBeLessThanOrEqual(1);
          const out = outputSize(size, { kernel, stride, dilation, padding: [before, after] });
          expect(out).toBe(Math.ceil(size / stride));
          // Minimal: one pixel less and the window no longer fits, or the output shrinks.
          const total = before + after;
          const span = dilation * (kernel - 1) + 1;
          if (total > 0 && span <= size + total - 1) {
            expect(outputSize(size, { kernel, stride, dilation, padding: [0, total - 1] })).toBeLessThan(out);
          }
        },
      ),
    );
  });
});

describe('paddingForOutput', () => {
  it('finds the padding that keeps 28×28 with 3×3 and 5×5 filters', () => {
    expect(paddingForOutput(28, 28, { kernel: 3 })).toEqual([1, 1]);
    expect(paddingForOutput(28, 28, { kernel: 5 })).toEqual([2, 2]);
  });

  it('finds ResNet/GoogLeNet stem padding for 224 → 112 with 7×7/2', () => {
    expect(paddingForOutput(224, 112, { kernel: 7, stride: 2 })).toEqual([2, 3]);
  });

  it('returns zero when no padding is needed', () => {
    expect(paddingForOutput(227, 55, { kernel: 11, stride: 4 })).toEqual([0, 0]);
  });

  it('produces the requested size whenever it is reachable (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 30 }),
        (size, kernel, stride, grow) => {
          const smallest = kernel <= size ? Math.floor((size - kernel) / stride) + 1 : 1;
          const target = smallest + grow;
          const padding = paddingForOutput(size, target, { kernel, stride });
          expect(outputSize(size, { kernel, stride, padding })).toBe(target);
        },
      ),
    );
  });

  it('explains that padding cannot shrink an output', () => {
    expect(() => paddingForOutput(32, 10, { kernel: 3 })).toThrow(ShapeError);
    expect(() => paddingForOutput(32, 10, { kernel: 3 })).toThrow(
      'paddingForOutput: padding only grows the output, and kernel 3, stride 1 already give 30 from 32 without padding, more than the 10 asked for',
    );
  });
});

describe('resolvePadding', () => {
  it('resolves numbers, pairs and modes', () => {
    const window = { kernel: 3 };
    expect(resolvePadding('conv', 8, 2, window)).toEqual([2, 2]);
    expect(resolvePadding('conv', 8, [0, 1], window)).toEqual([0, 1]);
    expect(resolvePadding('conv', 8, 'valid', window)).toEqual([0, 0]);
    expect(resolvePadding('conv', 8, 'same', window)).toEqual([1, 1]);
  });

  it('rejects malformed padding with the value received', () => {
    expect(() => resolvePadding('conv1', 8, [1, 2, 3] as never, { kernel: 3 })).toThrow(
      'conv1: padding must be a number, [before, after] or one of "valid", "same", "same-lower", received [1, 2, 3]',
    );
    expect(() => resolvePadding('conv1', 8, [1, -2], { kernel: 3 })).toThrow(
      'conv1: padding after must be an integer ≥ 0, received -2',
    );
  });
});
