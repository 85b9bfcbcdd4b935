import { initBackend } from '@convkit/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateWithLibrary, convolveWithLibrary, poolWithLibrary, shiftRight } from './compute.js';
import { convolutionSteps, FILTERS_3X3, IMAGE_6X6, mapOf } from './lecture.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const [filter1, filter2] = FILTERS_3X3.map((f) => f.weights) as [number[][], number[][]];

describe("the library's computations on the course examples", () => {
  it("Conv2d's feature maps equal the worked-out ones, for every stride and padding shown", async () => {
    for (const [stride, padding] of [
      [1, 0],
      [2, 0],
      [1, 1],
      [2, 1],
      [1, 2],
    ] as const) {
      const maps = await convolveWithLibrary(IMAGE_6X6, [filter1, filter2], { stride, padding });
      expect(maps[0]).toEqual(mapOf(convolutionSteps(IMAGE_6X6, filter1, stride, padding)));
      expect(maps[1]).toEqual(mapOf(convolutionSteps(IMAGE_6X6, filter2, stride, padding)));
    }
  });

  it('computes the lecture map [[3, -1, -3, -1], …]', async () => {
    expect((await convolveWithLibrary(IMAGE_6X6, [filter1]))[0]?.[0]).toEqual([3, -1, -3, -1]);
  });

  it('pools 2×2 windows: max, average, L2, stochastic', async () => {
    const map = [
      [1, 2, 0, 0],
      [3, 4, 0, 1],
      [0, 0, 2, 2],
      [0, 0, 2, 2],
    ];
    expect(await poolWithLibrary(map, 'max')).toEqual([
      [4, 1],
      [0, 2],
    ]);
    expect(await poolWithLibrary(map, 'average')).toEqual([
      [2.5, 0.25],
      [0, 2],
    ]);
    const l2 = await poolWithLibrary(map, 'l2');
    expect(l2[0]?.[0]).toBeCloseTo(Math.sqrt(1 + 4 + 9 + 16), 5);
    // Test time: Σ p·a with p = a / Σa, e.g. (1 + 4 + 9 + 16) / 10 = 3.
    expect((await poolWithLibrary(map, 'stochastic'))[0]?.[0]).toBeCloseTo(3, 5);
    const drawn = (await poolWithLibrary(map, 'stochastic', { training: true, seed: 7 }))[0]?.[0];
    expect([1, 2, 3, 4]).toContain(drawn);
  });

  it('applies activations element-wise', async () => {
    expect(await activateWithLibrary([[-2, 3]], 'relu')).toEqual([[0, 3]]);
    expect((await activateWithLibrary([[0]], 'sigmoid'))[0]?.[0]).toBeCloseTo(0.5, 6);
  });

  it('shifts a map to the right with zeros', () => {
    expect(shiftRight([[1, 2, 3]], 1)).toEqual([[0, 1, 2]]);
  });
});
