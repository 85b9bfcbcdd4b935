import { mulberry32 } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { augmentExample, augmentedShape } from './augment.js';
import { resizeBilinear } from './resize.js';

/** A random source that returns the given values in turn. */
const script = (...values: number[]) => {
  let i = 0;
  return () => {
    const v = values[i++];
    if (v === undefined) throw new Error('the script ran out of random numbers');
    return v;
  };
};

/** 1-channel `h × w` image with pixel (y, x) = 10·y + x + 1. */
const grid = (h: number, w: number) =>
  Float32Array.from({ length: h * w }, (_, i) => 10 * Math.floor(i / w) + (i % w) + 1);

describe('augmentedShape', () => {
  it('follows resize, then the crops', () => {
    expect(augmentedShape({}, 28, 28)).toEqual([28, 28]);
    expect(augmentedShape({ randomCrop: { size: [32, 32], padding: 4 }, flip: true }, 32, 32)).toEqual([32, 32]);
    expect(augmentedShape({ resize: [256, 256], centerCrop: [224, 224] }, 375, 500)).toEqual([224, 224]);
    expect(augmentedShape({ randomCrop: { size: [20, 24] } }, 28, 28)).toEqual([20, 24]);
  });

  it('rejects options that do not fit, repeating the values received', () => {
    expect(() => augmentedShape({ randomCrop: { size: [40, 40], padding: 2 } }, 32, 32)).toThrow(
      'augment.randomCrop.size [40, 40] is larger than the padded image 36×36 (32×32 + 2·2 padding)',
    );
    expect(() => augmentedShape({ centerCrop: [30, 10] }, 28, 28)).toThrow(
      'augment.centerCrop [30, 10] is larger than the 28×28 image it crops',
    );
    expect(() => augmentedShape({ resize: [0, 5] }, 8, 8)).toThrow(
      'augment.resize must be [height, width], two positive integers; got [0,5]',
    );
    expect(() => augmentedShape({ randomCrop: { size: [4, 4], padding: -1 } }, 8, 8)).toThrow(
      'padding must be a non-negative integer, got -1',
    );
    expect(() => augmentedShape({ flips: true } as never, 8, 8)).toThrow('augment has no option "flips"');
    expect(() => augmentedShape({ flip: 'yes' } as never, 8, 8)).toThrow(
      'augment.flip must be true or false, got "yes"',
    );
    const basis = {
      eigenvalues: [1, 0, 0] as [number, number, number],
      eigenvectors: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    };
    expect(() => augmentedShape({ colorNoise: { std: -1, basis } }, 8, 8)).toThrow(
      'std must be a finite number ≥ 0 (AlexNet: 0.1), got -1',
    );
    expect(() =>
      augmentedShape({ colorNoise: { std: 0.1, basis: { eigenvalues: [1], eigenvectors: [] } as never } }, 8, 8),
    ).toThrow('augment.colorNoise.basis must be');
    expect(() => augmentedShape({ colorNoise: { std: 0.1, basis } }, 8, 8, 1)).toThrow(
      'needs RGB images (channels 3), got channels 1',
    );
  });
});

describe('augmentExample', () => {
  it('randomCrop pads with zeros and crops where the random numbers say (hand-computed)', () => {
    // 3×3 image padded by 1 is 5×5; a 3×3 crop starts at top ∈ {0, 1, 2}, left ∈ {0, 1, 2} of the padded image.
    // random 0 → top 0 (one row of padding), random 0.99 → left 2 (one column of padding on the right).
    const { data, height, width } = augmentExample(
      grid(3, 3),
      3,
      3,
      1,
      { randomCrop: { size: [3, 3], padding: 1 } },
      script(0, 0.99),
    );
    expect([height, width]).toEqual([3, 3]);
    expect(Array.from(data)).toEqual([0, 0, 0, 2, 3, 0, 12, 13, 0]);
  });

  it('randomCrop reaches every position of the padded image, each crop a window of it', () => {
    const padded = (y: number, x: number) => (y >= 1 && y <= 3 && x >= 1 && x <= 4 ? 10 * (y - 1) + (x - 1) + 1 : 0);
    const seen = new Set<string>();
    const random = mulberry32(3);
    for (let n = 0; n < 200; n++) {
      const { data } = augmentExample(grid(3, 4), 3, 4, 1, { randomCrop: { size: [2, 3], padding: 1 } }, random);
      // Find the window (top, left) of the 5×6 padded image this crop equals.
      const hits: string[] = [];
      for (let top = 0; top <= 3; top++) {
        for (let left = 0; left <= 3; left++) {
          const window = [0, 1].flatMap((y) => [0, 1, 2].map((x) => padded(top + y, left + x)));
          if (window.every((v, i) => v === data[i])) hits.push(`${top},${left}`);
        }
      }
      // Every window holds image pixels, all distinct, so exactly one position matches.
      expect(hits).toHaveLength(1);
      seen.add(hits[0] as string);
    }
    expect(seen.size).toBe(16);
  });

  it('centerCrop rounds offsets as torchvision does (Python round, ties to even)', () => {
    // 5 → 2: (5 − 2)/2 = 1.5 rounds to 2; 5 → 4: 0.5 rounds to 0; 8 → 3: 2.5 rounds to 2.
    expect(Array.from(augmentExample(grid(5, 5), 5, 5, 1, { centerCrop: [2, 2] }, script()).data)).toEqual([
      23, 24, 33, 34,
    ]);
    expect(Array.from(augmentExample(grid(5, 5), 5, 5, 1, { centerCrop: [4, 1] }, script()).data)).toEqual([
      3, 13, 23, 33,
    ]);
    expect(Array.from(augmentExample(grid(1, 8), 1, 8, 1, { centerCrop: [1, 3] }, script()).data)).toEqual([3, 4, 5]);
  });

  it('flip mirrors left–right when the draw is below 0.5, keeping channels in order', () => {
    // 2 rows × 2 columns × 3 channels: row 0 = (1,2,3) (4,5,6), row 1 = (7,8,9) (10,11,12).
    const pixels = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    expect(Array.from(augmentExample(pixels, 2, 2, 3, { flip: true }, script(0.3)).data)).toEqual([
      4, 5, 6, 1, 2, 3, 10, 11, 12, 7, 8, 9,
    ]);
    expect(Array.from(augmentExample(pixels, 2, 2, 3, { flip: true }, script(0.7)).data)).toEqual(Array.from(pixels));
    expect(Array.from(pixels)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('colorNoise adds 255·alpha·lambda·p to every pixel (hand-computed draw)', () => {
    // u1 = 1 − e^(−1/2), u2 = 0 make Box–Muller's normal exactly 1, so alpha_1 = std = 0.1.
    const one = [1 - Math.exp(-0.5), 0];
    const basis = {
      eigenvalues: [0.2, 0, 0] as [number, number, number],
      eigenvectors: [
        [0.6, 0.8, 0],
        [0, 0, 1],
        [0.8, -0.6, 0],
      ],
    };
    const pixels = Float32Array.of(10, 20, 30, 100, 100, 100);
    const { data } = augmentExample(
      pixels,
      1,
      2,
      3,
      { colorNoise: { std: 0.1, basis } },
      script(...one, ...one, ...one),
    );
    // Shift = 255 · 0.1 · 0.2 · (0.6, 0.8, 0) = (3.06, 4.08, 0).
    const expected = [13.06, 24.08, 30, 103.06, 104.08, 100];
    data.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] as number, 4);
    });
  });

  it('colorNoise: the shift has standard deviation 255·std·lambda_i along p_i', () => {
    const basis = {
      eigenvalues: [0.2, 0.05, 0] as [number, number, number],
      eigenvectors: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    };
    const random = mulberry32(11);
    const shifts = Array.from({ length: 4000 }, () =>
      Array.from(augmentExample(new Float32Array(3), 1, 1, 3, { colorNoise: { std: 0.1, basis } }, random).data),
    );
    const std = (c: number) => Math.sqrt(shifts.reduce((s, p) => s + (p[c] as number) ** 2, 0) / shifts.length);
    expect(std(0)).toBeCloseTo(255 * 0.1 * 0.2, 0); // 5.1
    expect(std(1)).toBeGreaterThan(1.2);
    expect(std(1)).toBeLessThan(1.35); // 1.275
    expect(std(2)).toBe(0);
  });

  it('runs resize first, then crops, as augmentedShape says', () => {
    const pixels = grid(4, 6);
    const options = { resize: [8, 12] as [number, number], centerCrop: [6, 6] as [number, number] };
    const { data, height, width } = augmentExample(pixels, 4, 6, 1, options, script());
    expect([height, width]).toEqual(augmentedShape(options, 4, 6));
    const resized = resizeBilinear(pixels, 4, 6, 1, 8, 12);
    // Offsets round((8 − 6)/2) = 1 and round((12 − 6)/2) = 3.
    const expected = Array.from(
      { length: 36 },
      (_, i) => resized[(1 + Math.floor(i / 6)) * 12 + 3 + (i % 6)] as number,
    );
    expect(Array.from(data)).toEqual(expected);
  });

  it('is deterministic for a seeded random and never changes its input', () => {
    const pixels = grid(6, 6);
    const copy = pixels.slice();
    const options = { randomCrop: { size: [4, 4] as [number, number], padding: 2 }, flip: true };
    const a = augmentExample(pixels, 6, 6, 1, options, mulberry32(1)).data;
    expect(Array.from(augmentExample(pixels, 6, 6, 1, options, mulberry32(1)).data)).toEqual(Array.from(a));
    expect(Array.from(pixels)).toEqual(Array.from(copy));
    expect(augmentExample(pixels, 6, 6, 1, {}, script()).data).not.toBe(pixels);
  });

  it('rejects pixels that do not match the size', () => {
    expect(() => augmentExample(new Float32Array(5), 2, 2, 1, {}, script())).toThrow('2×2×1 needs 4 values, got 5');
  });
});
