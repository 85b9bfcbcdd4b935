import { windowOutputSize } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { convGeometry, convInfo } from './kernel-geometry.js';

// The addons compute their output size with the floor formula (convkit/geometry.h,
// the same as @convkit/shape's windowOutputSize); the geometry's end padding must
// make that formula give tfjs' output size, and be tfjs' own padding whenever
// that already does. Pure shape logic: no addon needed.
const floorSize = (n: number, before: number, after: number, extent: number, stride: number) =>
  windowOutputSize(n, extent, stride, [before, after]);

describe('convGeometry end padding', () => {
  const cases: [number, number, number, number | 'same' | 'valid', 'floor' | 'ceil' | 'round' | undefined][] = [];
  for (let n = 3; n <= 9; n++)
    for (let k = 1; k <= 3; k++)
      for (let stride = 1; stride <= 3; stride++)
        for (const pad of [0, 1, 2, 'same', 'valid'] as const)
          for (const rounding of typeof pad === 'number' ? (['floor', 'ceil', 'round'] as const) : [undefined])
            cases.push([n, k, stride, pad, rounding]);

  it('gives the floor formula tfjs’ output size, keeping tfjs’ padding when it already does', () => {
    for (const [n, k, stride, pad, rounding] of cases) {
      const info = convInfo(
        [1, n, n + 1, 2],
        [k, k, 2, 3],
        { strides: stride, pad, dimRoundingMode: rounding },
        1,
        false,
      );
      const g = convGeometry(info, false);
      if (!g) continue; // a window the addon does not take (negative padding)
      const [top, left, bottom, right] = [g[13], g[14], g[15], g[16]] as [number, number, number, number];
      const label = JSON.stringify({ n, k, stride, pad, rounding });
      expect(floorSize(n, top, bottom, info.effectiveFilterHeight, stride), label).toBe(info.outHeight);
      expect(floorSize(n + 1, left, right, info.effectiveFilterWidth, stride), label).toBe(info.outWidth);
      if (floorSize(n, top, info.padInfo.bottom, info.effectiveFilterHeight, stride) === info.outHeight) {
        expect(bottom, label).toBe(info.padInfo.bottom);
      }
    }
  });
});
