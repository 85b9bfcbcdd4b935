import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { receptiveField } from './receptive-field.js';

interface Layer {
  kernel: number;
  stride: number;
  padding: number;
  dilation: number;
}

/**
 * Oracle, top-down: the input interval that output unit `unit` of the last
 * layer reads, walking the layers backwards (unit u of a layer reads its
 * input positions u·s − p + j·d, j = 0..k−1, padding included).
 */
function inputInterval(layers: Layer[], unit: number): [number, number] {
  let lo = unit;
  let hi = unit;
  for (const { kernel, stride, padding, dilation } of [...layers].reverse()) {
    lo = lo * stride - padding;
    hi = hi * stride - padding + (kernel - 1) * dilation;
  }
  return [lo, hi];
}

describe('receptiveField', () => {
  it('grows by 2 per stacked 3×3 convolution: two see 5×5, three see 7×7 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), (depth) => {
        const layers = Array.from({ length: depth }, () => ({ kernel: 3, padding: 1 }));
        const field = receptiveField(layers);
        expect(field.size).toBe(2 * depth + 1);
        expect(field.steps.map((s) => s.size)).toEqual(Array.from({ length: depth }, (_, i) => 2 * i + 3));
      }),
    );
  });

  it("AlexNet's conv1 and pool1: 11 then 19 pixels, jump 4 then 8", () => {
    const field = receptiveField([
      { kernel: 11, stride: 4 },
      { kernel: 3, stride: 2 },
    ]);
    expect(field.steps[0]).toEqual({ size: 11, jump: 4, start: 5 });
    expect(field).toMatchObject({ size: 19, jump: 8, start: 9 });
  });

  it('centres the first unit on pixel 0 with same padding', () => {
    expect(receptiveField([{ kernel: 3, padding: 1 }])).toMatchObject({ size: 3, jump: 1, start: 0 });
    // An even kernel puts the centre between pixels.
    expect(receptiveField([{ kernel: 2, stride: 2 }])).toMatchObject({ size: 2, jump: 2, start: 0.5 });
  });

  it('resolves same padding with stride through the sizes', () => {
    const field = receptiveField(
      [
        { kernel: 7, stride: 2, padding: 'same' },
        { kernel: 3, stride: 2, padding: 'same' },
      ],
      {
        size: 224,
      },
    );
    expect(field).toMatchObject({ size: 7 + 2 * 2, jump: 4, start: 3 - 2 + (1 - 0) * 2 });
  });

  it('equals the top-down interval of any stack of windows (property)', () => {
    const layer = fc.record({
      kernel: fc.integer({ min: 1, max: 7 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 3 }),
      dilation: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(layer, { minLength: 1, maxLength: 8 }), (layers) => {
        const field = receptiveField(layers);
        const [lo0, hi0] = inputInterval(layers, 0);
        const [lo1, hi1] = inputInterval(layers, 1);
        expect(field.size).toBe(hi0 - lo0 + 1);
        expect(field.start).toBe((lo0 + hi0) / 2);
        expect(field.jump).toBe((lo1 + hi1) / 2 - (lo0 + hi0) / 2);
      }),
    );
  });
});
