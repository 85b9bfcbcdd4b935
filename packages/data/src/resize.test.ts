import { describe, expect, it } from 'vitest';
import { resizeBilinear } from './resize.js';

/** A deterministic 0–255 test image. */
function image(height: number, width: number, channels: number): Float32Array {
  return Float32Array.from({ length: height * width * channels }, (_, i) => (i * 37 + 11) % 256);
}

/** torch's `F.interpolate(mode='bilinear', align_corners=False, antialias=False)`, in plain loops. */
function interpolate(pixels: Float32Array, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const source = (o: number, n: number, on: number) => {
    const s = Math.max((o + 0.5) * (n / on) - 0.5, 0);
    const i0 = Math.floor(s);
    return { i0, i1: Math.min(i0 + 1, n - 1), t: s - i0 };
  };
  const out = new Float32Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    const sy = source(y, h, oh);
    for (let x = 0; x < ow; x++) {
      const sx = source(x, w, ow);
      for (let k = 0; k < c; k++) {
        const at = (i: number, j: number) => pixels[(i * w + j) * c + k] as number;
        const top = (1 - sx.t) * at(sy.i0, sx.i0) + sx.t * at(sy.i0, sx.i1);
        const bottom = (1 - sx.t) * at(sy.i1, sx.i0) + sx.t * at(sy.i1, sx.i1);
        out[(y * ow + x) * c + k] = (1 - sy.t) * top + sy.t * bottom;
      }
    }
  }
  return out;
}

/**
 * PIL's antialiased bilinear as its definition reads, without windows or
 * separability: a triangle of half-width `max(scale, 1)` around each sample
 * centre, over every input pixel, normalised.
 */
function triangle(pixels: Float32Array, h: number, w: number, c: number, oh: number, ow: number): Float32Array {
  const weights = (o: number, n: number, on: number) => {
    const scale = n / on;
    const support = Math.max(scale, 1);
    const center = (o + 0.5) * scale;
    const raw = Array.from({ length: n }, (_, i) => Math.max(0, 1 - Math.abs(i + 0.5 - center) / support));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / total);
  };
  const out = new Float32Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    const wy = weights(y, h, oh);
    for (let x = 0; x < ow; x++) {
      const wx = weights(x, w, ow);
      for (let k = 0; k < c; k++) {
        let sum = 0;
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++)
            sum += (wy[i] as number) * (wx[j] as number) * (pixels[(i * w + j) * c + k] as number);
        }
        out[(y * ow + x) * c + k] = sum;
      }
    }
  }
  return out;
}

const close = (actual: Float32Array, expected: Float32Array) => {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, i) => {
    expect(v).toBeCloseTo(expected[i] as number, 3);
  });
};

describe('resizeBilinear', () => {
  it('enlarges with half-pixel centres and clamped edges (hand-computed)', () => {
    // Centres of 4 outputs over 2 inputs sit at −0.25, 0.25, 0.75, 1.25 input pixels.
    expect(Array.from(resizeBilinear(Float32Array.of(0, 10), 1, 2, 1, 1, 4))).toEqual([0, 2.5, 7.5, 10]);
  });

  it('shrinks with a widened triangle (PIL, hand-computed) or two taps (antialias false)', () => {
    const row = Float32Array.of(0, 10, 20, 30);
    // Output 0: centre 1, taps 0, 1, 2 weighted 0.75, 0.75, 0.25 → (7.5 + 5) / 1.75 = 50/7.
    close(resizeBilinear(row, 1, 4, 1, 1, 2), Float32Array.of(50 / 7, 160 / 7));
    expect(Array.from(resizeBilinear(row, 1, 4, 1, 1, 2, { antialias: false }))).toEqual([5, 25]);
  });

  it('keeps an image of the same size and a constant image as they are', () => {
    const pixels = image(5, 4, 3);
    expect(Array.from(resizeBilinear(pixels, 5, 4, 3, 5, 4))).toEqual(Array.from(pixels));
    const flat = new Float32Array(6 * 9 * 2).fill(77);
    for (const [oh, ow] of [
      [4, 4],
      [11, 3],
      [1, 1],
    ] as const) {
      close(resizeBilinear(flat, 6, 9, 2, oh, ow), new Float32Array(oh * ow * 2).fill(77));
    }
  });

  it('matches F.interpolate(align_corners=False) in plain loops when antialias is off or the image grows', () => {
    const pixels = image(5, 7, 3);
    close(resizeBilinear(pixels, 5, 7, 3, 9, 4, { antialias: false }), interpolate(pixels, 5, 7, 3, 9, 4));
    close(resizeBilinear(pixels, 5, 7, 3, 8, 11), interpolate(pixels, 5, 7, 3, 8, 11));
  });

  it('matches the antialiased triangle filter, computed the long way, when shrinking', () => {
    const pixels = image(6, 9, 2);
    close(resizeBilinear(pixels, 6, 9, 2, 4, 4), triangle(pixels, 6, 9, 2, 4, 4));
    close(resizeBilinear(pixels, 6, 9, 2, 2, 5), triangle(pixels, 6, 9, 2, 2, 5));
  });

  it('rejects sizes that do not fit the pixels, repeating them', () => {
    expect(() => resizeBilinear(new Float32Array(5), 2, 3, 1, 4, 4)).toThrow('2×3×1 needs 6 values, got 5');
    expect(() => resizeBilinear(new Float32Array(6), 2, 3, 1, 0, 4)).toThrow(
      'outHeight must be a positive integer, got 0',
    );
  });
});
