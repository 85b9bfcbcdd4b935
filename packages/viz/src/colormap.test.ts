import { describe, expect, it } from 'vitest';
import { colormap, diverging, gray, viridis } from './colormap.js';

const hex = ([r, g, b]: number[]) => `#${[r, g, b].map((v) => (v ?? 0).toString(16).padStart(2, '0')).join('')}`;

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: number[]): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
}

describe('viridis', () => {
  it('matches matplotlib at the ends, quarters and midpoint', () => {
    // matplotlib.colors.to_hex(cm.viridis(t)) for t = 0, .25, .5, .75, 1
    expect([0, 0.25, 0.5, 0.75, 1].map((t) => hex(viridis(t)))).toEqual([
      '#440154',
      '#3b528b',
      '#21918c',
      '#5ec962',
      '#fde725',
    ]);
  });

  it('gets lighter all the way (perceptually ordered), up to 8-bit rounding', () => {
    const l = Array.from({ length: 256 }, (_, i) => luminance(viridis(i / 256)));
    for (let i = 1; i < l.length; i++) expect(l[i] as number).toBeGreaterThan((l[i - 1] as number) - 1e-3);
    for (let i = 8; i < l.length; i += 8) expect(l[i] as number).toBeGreaterThan(l[i - 8] as number);
  });

  it('clamps outside [0, 1] and marks NaN in magenta', () => {
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(Number.NaN)).toEqual([255, 0, 255]);
  });
});

describe('gray and diverging', () => {
  it('gray is round(255·t)', () => {
    expect([0, 0.5, 1, 1 / 3].map((t) => gray(t)[0])).toEqual([0, 128, 255, 85]);
  });

  it('diverging is ColorBrewer RdBu: blue, near-white at the centre, red', () => {
    expect(hex(diverging(0))).toBe('#053061');
    expect(hex(diverging(0.5))).toBe('#f7f7f7');
    expect(hex(diverging(1))).toBe('#67001f');
    // Symmetric lightness around the centre, so + and − weights of equal size look equally strong.
    expect(luminance(diverging(0.3))).toBeCloseTo(luminance(diverging(0.7)), 1);
  });

  it('looks maps up by name and rejects unknown names', () => {
    expect(colormap('gray')(1)).toEqual([255, 255, 255]);
    expect(() => colormap('jet' as never)).toThrow(/unknown colormap "jet": use viridis, gray, diverging/);
  });
});
