import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from './errors.js';
import { explainOutputSize, outputSize } from './output-size.js';

/** Independent oracle: slide the window over the padded input and count the positions. */
function countWindows(n: number, kernel: number, stride: number, before: number, after: number, dilation = 1): number {
  const span = dilation * (kernel - 1) + 1;
  let count = 0;
  for (let start = -before; start + span <= n + after; start += stride) count++;
  return count;
}

describe('outputSize — the lecture', () => {
  it('gives (N − K)/S + 1 on the lecture examples', () => {
    expect(outputSize(6, { kernel: 3 })).toBe(4);
    expect(outputSize(8, { kernel: 3 })).toBe(6);
    expect(outputSize(7, { kernel: 3, stride: 2 })).toBe(3);
    expect(outputSize(227, { kernel: 11, stride: 4 })).toBe(55);
    expect(outputSize(55, { kernel: 3, stride: 2 })).toBe(27);
    expect(outputSize(28, { kernel: 3, padding: 1 })).toBe(28);
  });

  it('explains (N + 2P − K)/S + 1 with its numbers', () => {
    expect(explainOutputSize(227, { kernel: 11, stride: 4 }).formula).toBe('(227 + 2·0 − 11)/4 + 1 = 55');
    expect(explainOutputSize(28, { kernel: 5, stride: 2 }).formula).toBe('(28 + 2·0 − 5)/2 + 1 = 12.5');
    expect(explainOutputSize(7, { kernel: 3, stride: 3, padding: [0, 1] }).formula).toBe(
      '(7 + 0 + 1 − 3)/3 + 1 = 2.667…',
    );
  });

  it('floors an inexact division, as every framework does', () => {
    expect(outputSize(28, { kernel: 5, stride: 2 })).toBe(12);
    expect(outputSize(7, { kernel: 3, stride: 3 })).toBe(2);
  });
});

describe('outputSize — strict mode', () => {
  it('throws a ShapeError that repeats the numbers and proposes fixes', () => {
    const call = () => outputSize(28, { kernel: 5, stride: 2, strict: true });
    expect(call).toThrow(ShapeError);
    expect(call).toThrow(
      'outputSize: (28 + 2·0 − 5)/2 + 1 = 12.5 is not an integer: use padding [0, 1] (→ 13) or stride 1 (→ 24); without strict the size is floored to 12',
    );
  });

  it('names the layer it was given', () => {
    expect(() => outputSize(7, { kernel: 3, stride: 3, strict: true, op: 'conv2' })).toThrow(
      /^conv2: \(7 \+ 2·0 − 3\)\/3/,
    );
  });

  it('proposes symmetric padding when one exists', () => {
    // (10 + 0 − 3)/3 = 7/3: 2 more pixels → padding 1 each side.
    expect(explainOutputSize(10, { kernel: 3, stride: 3 }).fixes[0]).toBe('padding 1 (→ 4)');
  });

  it('every proposed fix is exact (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 6 }),
        (n, k, s) => {
          fc.pre(k <= n);
          const e = explainOutputSize(n, { kernel: k, stride: s });
          for (const fix of e.fixes) {
            const pad = /^padding (\d+) /.exec(fix);
            const pair = /^padding \[(\d+), (\d+)\]/.exec(fix);
            const stride = /^stride (\d+)/.exec(fix);
            const options = pad
              ? { kernel: k, stride: s, padding: Number(pad[1]) }
              : pair
                ? { kernel: k, stride: s, padding: [Number(pair[1]), Number(pair[2])] as const }
                : { kernel: k, stride: Number(stride?.[1]) };
            expect(explainOutputSize(n, options).exact, fix).toBe(true);
          }
        },
      ),
    );
  });

  it('throws exactly when the division is inexact (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        (n, k, s, p, d) => {
          const span = d * (k - 1) + 1;
          fc.pre(span <= n + 2 * p);
          const inexact = (n + 2 * p - span) % s !== 0;
          const call = () => outputSize(n, { kernel: k, stride: s, padding: p, dilation: d, strict: true });
          if (inexact) expect(call).toThrow(ShapeError);
          else expect(call()).toBe((n + 2 * p - span) / s + 1);
        },
      ),
    );
  });
});

describe('outputSize — padding modes, dilation, ceil mode', () => {
  it("'same' gives ceil(n / stride) for every kernel, stride and dilation (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (n, k, s, d, lower) => {
          const padding = lower ? 'same-lower' : 'same';
          expect(outputSize(n, { kernel: k, stride: s, dilation: d, padding })).toBe(Math.ceil(n / s));
        },
      ),
    );
  });

  it('matches a window-counting loop for explicit padding and dilation (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (n, k, s, before, after, d) => {
          fc.pre(d * (k - 1) + 1 <= n + before + after);
          const got = outputSize(n, { kernel: k, stride: s, padding: [before, after], dilation: d });
          expect(got).toBe(countWindows(n, k, s, before, after, d));
        },
      ),
    );
  });

  it("'valid' is no padding", () => {
    expect(outputSize(32, { kernel: 5, padding: 'valid' })).toBe(28);
  });

  it('spans dilation·(k − 1) + 1 input elements', () => {
    expect(outputSize(7, { kernel: 3, dilation: 2 })).toBe(3);
    expect(explainOutputSize(7, { kernel: 3, dilation: 2 }).span).toBe(5);
  });

  it('keeps a last partial window in ceil mode, unless it starts in the end padding (ONNX)', () => {
    expect(outputSize(4, { kernel: 3, stride: 2, ceilMode: true })).toBe(2);
    expect(outputSize(4, { kernel: 3, stride: 2 })).toBe(1);
    // ONNX test_maxpool_2d_ceil_output_size_reduce_by_one: 2, k 1, s 2 → 1
    expect(outputSize(2, { kernel: 1, stride: 2, ceilMode: true })).toBe(1);
    // ONNX test_averagepool_2d_ceil_last_window_starts_on_pad: 2, k 3, s 3, pad 1 → 1
    expect(outputSize(2, { kernel: 3, stride: 3, padding: 1, ceilMode: true })).toBe(1);
    // GoogLeNet's pools: 112, 3, 2 ceil → 56
    expect(outputSize(112, { kernel: 3, stride: 2, ceilMode: true })).toBe(56);
  });

  it('ceil mode is floor mode plus one exactly when the last window fits a real pixel (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (n, k, s, p) => {
          fc.pre(k <= n + 2 * p && p < k);
          const floor = outputSize(n, { kernel: k, stride: s, padding: p });
          const ceil = outputSize(n, { kernel: k, stride: s, padding: p, ceilMode: true });
          // Oracle: window i starts at i·s in padded coordinates. Ceil mode keeps every window
          // that starts before the last full window's successor would pass the padded end,
          // and drops one that starts in the end padding.
          let windows = 0;
          for (let i = 0; i * s < n + p && i * s < n + 2 * p - k + s; i++) windows++;
          expect(ceil).toBe(windows);
          expect(ceil - floor).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe('outputSize — bad input', () => {
  it.each([
    [0, { kernel: 3 }, 'outputSize: input size must be a positive integer, received 0'],
    [2.5, { kernel: 3 }, 'outputSize: input size must be a positive integer, received 2.5'],
    [8, { kernel: 0 }, 'outputSize: kernel must be a positive integer, received 0'],
    [8, { kernel: 3, stride: -1 }, 'outputSize: stride must be a positive integer, received -1'],
    [8, { kernel: 3, padding: -1 }, 'outputSize: padding must be an integer ≥ 0, received -1'],
    [8, { kernel: 3, padding: 'full' as never }, `outputSize: unknown padding mode "full"`],
    [
      3,
      { kernel: 5 },
      'outputSize: kernel 5, more than the padded input 3 + 0 + 0 = 3: use padding of at least 2 in total or a smaller kernel',
    ],
    [
      4,
      { kernel: 3, dilation: 3 },
      'outputSize: kernel 3 dilated by 3 spans 7, more than the padded input 4 + 0 + 0 = 4',
    ],
  ])('outputSize(%s, %o) throws %s', (n, options, message) => {
    expect(() => outputSize(n, options)).toThrow(ShapeError);
    expect(() => outputSize(n, options)).toThrow(message);
  });

  it('keeps what it received on the error', () => {
    try {
      outputSize(8, { kernel: 3, stride: 0, op: 'pool1' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ShapeError);
      expect((error as ShapeError).op).toBe('pool1');
      expect((error as ShapeError).received).toEqual({ stride: 0 });
    }
  });
});
