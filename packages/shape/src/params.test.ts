import { LENET5_C3 } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { convMacs, denseMacs } from './cost.js';
import { ShapeError } from './errors.js';
import { batchNormParams, convParams, denseParams, maxoutParams } from './params.js';

/** Independent oracle: count the weights of a grouped convolution by enumerating them. */
function enumerateConvWeights(inChannels: number, filters: number, kh: number, kw: number, groups: number): number {
  let count = 0;
  for (let f = 0; f < filters; f++) {
    const group = Math.floor(f / (filters / groups));
    for (let c = 0; c < inChannels; c++) {
      if (Math.floor(c / (inChannels / groups)) !== group) continue;
      count += kh * kw;
    }
  }
  return count;
}

describe('convParams — the lecture', () => {
  it('a 3×3×3 filter has 27 weights and a bias: 28; 100 of them have 2,800', () => {
    expect(convParams({ inChannels: 3, filters: 1, kernel: 3 })).toBe(3 * 3 * 3 + 1);
    expect(convParams({ inChannels: 3, filters: 100, kernel: 3 })).toBe(2800);
  });

  it("AlexNet's first layer: 11·11·3·96 = 34,848 weights, 34,944 with biases", () => {
    expect(convParams({ inChannels: 3, filters: 96, kernel: 11, bias: false })).toBe(34_848);
    expect(convParams({ inChannels: 3, filters: 96, kernel: 11 })).toBe(34_944);
  });

  it('LeNet-5: C1 has 156 parameters, C3 with its connection table 1,516', () => {
    expect(convParams({ inChannels: 1, filters: 6, kernel: 5 })).toBe(156);
    expect(convParams({ inChannels: 6, filters: 16, kernel: 5, connections: LENET5_C3 })).toBe(1516);
    // Its MACs: 10×10 outputs, 60 connected maps × 25 taps.
    expect(convMacs({ inChannels: 6, filters: 16, kernel: 5, connections: LENET5_C3, output: 10 })).toBe(100 * 60 * 25);
  });

  it('counts rectangular kernels and 1×1 convolutions', () => {
    expect(convParams({ inChannels: 192, filters: 64, kernel: 1 })).toBe(192 * 64 + 64);
    expect(convParams({ inChannels: 768, filters: 128, kernel: [1, 7], bias: false })).toBe(768 * 128 * 7);
  });

  it('matches an enumeration of grouped and depthwise weights', () => {
    for (const [c, f, k, g] of [
      [4, 8, 3, 2],
      [32, 32, 3, 32],
      [32, 64, 3, 32],
      [96, 256, 5, 2],
      [6, 6, 1, 3],
    ] as const) {
      expect(convParams({ inChannels: c, filters: f, kernel: k, groups: g, bias: false })).toBe(
        enumerateConvWeights(c, f, k, k, g),
      );
    }
  });
});

describe('convParams — bad input', () => {
  it('explains channels that do not divide into groups', () => {
    expect(() => convParams({ inChannels: 64, filters: 128, kernel: 3, groups: 3, op: 'conv2' })).toThrow(
      'conv2: 64 input channels and 128 filters must both divide into 3 groups: use groups 1, 2, 4, 8, 16, 32, 64',
    );
  });

  it('checks connection tables', () => {
    expect(() => convParams({ inChannels: 6, filters: 2, kernel: 5, connections: [[0, 1]] })).toThrow(
      'conv: the connection table has 1 rows for 2 filters',
    );
    expect(() => convParams({ inChannels: 6, filters: 1, kernel: 5, connections: [[0, 6]] })).toThrow(
      'conv: filter 0 reads channels [0, 6]: each must be a distinct integer in 0..5',
    );
    expect(() => convParams({ inChannels: 6, filters: 1, kernel: 5, connections: [[1, 1]] })).toThrow(ShapeError);
    expect(() => convParams({ inChannels: 6, filters: 1, kernel: 5, groups: 2, connections: [[0]] })).toThrow(
      'a connection table replaces groups',
    );
  });

  it('rejects non-integer and non-positive sizes', () => {
    expect(() => convParams({ inChannels: 3, filters: 0, kernel: 3 })).toThrow(
      'conv: filters must be a positive integer, received 0',
    );
    expect(() => convParams({ inChannels: 3, filters: 8, kernel: [3, 0] })).toThrow(
      'conv: kernel width must be a positive integer, received 0',
    );
  });
});

describe('dense, batch norm, maxout', () => {
  it('a dense layer has in·out weights and out biases', () => {
    expect(denseParams({ inFeatures: 7 * 7 * 512, units: 4096 })).toBe(102_764_544);
    expect(denseParams({ inFeatures: 84, units: 10, bias: false })).toBe(840);
    expect(denseMacs({ inFeatures: 4096, units: 1000 })).toBe(4_096_000);
  });

  it('batch norm trains γ and β, and keeps running statistics', () => {
    expect(batchNormParams(64)).toEqual({ trainable: 128, nonTrainable: 128 });
    expect(batchNormParams(64, { scale: false })).toEqual({ trainable: 64, nonTrainable: 128 });
  });

  it('maxout holds one affine map per piece', () => {
    // Goodfellow et al. 2013, MNIST permutation-invariant: 784 → 240 units × 5 pieces.
    expect(maxoutParams({ inFeatures: 784, units: 240, pieces: 5 })).toBe(5 * (784 * 240 + 240));
    expect(() => maxoutParams({ inFeatures: 784, units: 240, pieces: 0 })).toThrow(
      'maxout: pieces must be a positive integer, received 0',
    );
  });
});

describe('convMacs', () => {
  /** Oracle: run a naive grouped convolution's loops and count the multiply-adds. */
  function naiveMacs(h: number, w: number, c: number, f: number, k: number, groups: number): number {
    let macs = 0;
    const perGroup = c / groups;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let o = 0; o < f; o++)
          for (let i = 0; i < perGroup; i++) for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) macs++;
    return macs;
  }

  it('matches a counted naive convolution', () => {
    for (const [h, c, f, k, g] of [
      [5, 3, 4, 3, 1],
      [4, 8, 8, 3, 8],
      [3, 6, 12, 1, 3],
    ] as const) {
      expect(convMacs({ inChannels: c, filters: f, kernel: k, groups: g, output: h })).toBe(
        naiveMacs(h, h, c, f, k, g),
      );
    }
  });

  it("VGG's first conv: 224·224·64·27 = 86,704,128 MACs", () => {
    expect(convMacs({ inChannels: 3, filters: 64, kernel: 3, output: 224 })).toBe(86_704_128);
  });
});
