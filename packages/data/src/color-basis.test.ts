import { mulberry32 } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { colorBasis, IMAGENET_COLOR_BASIS, symmetricEigen3 } from './color-basis.js';
import type { ImageDataset } from './dataset.js';

/** An RGB dataset of 1×n images from `[r, g, b]` pixels, one image per pixel. */
function rgb(pixels: number[][]): ImageDataset {
  return {
    images: Uint8Array.from(pixels.flat()),
    labels: new Uint8Array(pixels.length),
    count: pixels.length,
    height: 1,
    width: 1,
    channels: 3,
    classes: 1,
  };
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);

describe('symmetricEigen3', () => {
  it('finds eigenvalues of hand-diagonalisable matrices', () => {
    expect(
      symmetricEigen3([
        [4, 0, 0],
        [0, 1, 0],
        [0, 0, 9],
      ]).values,
    ).toEqual([4, 1, 9]);
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3 (vectors (1, −1) and (1, 1)); the third axis is 5.
    const { values, vectors } = symmetricEigen3([
      [2, 1, 0],
      [1, 2, 0],
      [0, 0, 5],
    ]);
    expect(
      values
        .slice()
        .sort((a, b) => a - b)
        .map((v) => Number(v.toFixed(12))),
    ).toEqual([1, 3, 5]);
    const three = values.findIndex((v) => Math.abs(v - 3) < 1e-9);
    const column = [0, 1, 2].map((r) => vectors[r]?.[three] as number);
    expect(Math.abs(column[0] as number)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(column[0]).toBeCloseTo(column[1] as number, 12);
  });

  it('gives A·v = λ·v with orthonormal vectors for random symmetric matrices', () => {
    const random = mulberry32(5);
    for (let trial = 0; trial < 20; trial++) {
      const m = [0, 1, 2].map(() => [0, 0, 0]);
      for (let i = 0; i < 3; i++) {
        for (let j = i; j < 3; j++) {
          const x = random() * 10 - 5;
          (m[i] as number[])[j] = x;
          (m[j] as number[])[i] = x;
        }
      }
      const { values, vectors } = symmetricEigen3(m);
      const columns = [0, 1, 2].map((k) => [0, 1, 2].map((r) => vectors[r]?.[k] as number));
      columns.forEach((v, k) => {
        const av = m.map((row) => dot(row, v));
        av.forEach((x, r) => {
          expect(x).toBeCloseTo((values[k] as number) * (v[r] as number), 9);
        });
        columns.forEach((u, l) => {
          expect(dot(u, v)).toBeCloseTo(k === l ? 1 : 0, 12);
        });
      });
    }
  });

  it('rejects a matrix that is not symmetric', () => {
    expect(() =>
      symmetricEigen3([
        [1, 2, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
    ).toThrow(RangeError);
  });
});

describe('colorBasis', () => {
  it('grey pixels: one component along (1, 1, 1)/√3 holding all the variance (hand-computed)', () => {
    // On the [0, 1] scale the channel values are 0, 1, 0, 1: sample variance 1/3 each, all covariances 1/3.
    const basis = colorBasis(
      rgb([
        [0, 0, 0],
        [255, 255, 255],
        [0, 0, 0],
        [255, 255, 255],
      ]),
    );
    expect(basis.eigenvalues[0]).toBeCloseTo(1, 12);
    expect(basis.eigenvalues[1]).toBeCloseTo(0, 12);
    expect(basis.eigenvalues[2]).toBeCloseTo(0, 12);
    for (const x of basis.eigenvectors[0] as number[]) expect(x).toBeCloseTo(1 / Math.sqrt(3), 12);
  });

  it('uncorrelated channels: the variances, along the axes, largest first', () => {
    // R: 0, 1, 0, 1 (variance 1/3); B: 0, 0, 0.2, 0.2 (variance 0.04/3), uncorrelated with R; G constant.
    const basis = colorBasis(
      rgb([
        [0, 128, 0],
        [255, 128, 0],
        [0, 128, 51],
        [255, 128, 51],
      ]),
    );
    expect(basis.eigenvalues[0]).toBeCloseTo(1 / 3, 12);
    expect(basis.eigenvalues[1]).toBeCloseTo(0.04 / 3, 12);
    expect(basis.eigenvalues[2]).toBeCloseTo(0, 12);
    const rounded = basis.eigenvectors.map((v) => v.map((x) => Math.round(x * 1e9) / 1e9 + 0));
    expect(rounded).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it('diagonalises the covariance that plain two-pass loops compute', () => {
    const random = mulberry32(9);
    const pixels = Array.from({ length: 500 }, () => {
      const base = random() * 200;
      return [base + random() * 55, base * 0.5 + random() * 100, 255 - base];
    }).map((p) => p.map(Math.round));
    const data = rgb(pixels);
    const mean = [0, 1, 2].map((c) => pixels.reduce((s, p) => s + (p[c] as number) / 255, 0) / pixels.length);
    const cov = [0, 1, 2].map((i) =>
      [0, 1, 2].map(
        (j) =>
          pixels.reduce(
            (s, p) =>
              s + ((p[i] as number) / 255 - (mean[i] as number)) * ((p[j] as number) / 255 - (mean[j] as number)),
            0,
          ) /
          (pixels.length - 1),
      ),
    );
    const { eigenvalues, eigenvectors } = colorBasis(data);
    expect(eigenvalues[0]).toBeGreaterThanOrEqual(eigenvalues[1]);
    expect(eigenvalues[1]).toBeGreaterThanOrEqual(eigenvalues[2]);
    eigenvectors.forEach((v, k) => {
      cov.forEach((row, r) => {
        expect(dot(row, v)).toBeCloseTo((eigenvalues[k] as number) * (v[r] as number), 10);
      });
      expect(Math.max(...v.map(Math.abs))).toBe(Math.max(...v));
    });
  });

  it('samples evenly spaced images', () => {
    // 8 images; sample 2 reads images 0 and 4, black and white: each channel's sample variance is 1/2, the grey component's 3/2.
    const pixels = [0, 9, 9, 9, 255, 9, 9, 9].map((v) => [v, v, v]);
    expect(colorBasis(rgb(pixels), 2).eigenvalues[0]).toBeCloseTo(3 / 2, 12);
  });

  it('needs RGB and a sample within the dataset', () => {
    expect(() => colorBasis({ ...rgb([[1, 2, 3]]), channels: 1 })).toThrow(
      'needs RGB images (channels 3), got channels 1',
    );
    expect(() =>
      colorBasis(
        rgb([
          [1, 2, 3],
          [4, 5, 6],
        ]),
        3,
      ),
    ).toThrow('sample must be an integer in 1…2 (the image count), got 3');
  });

  it('ships ImageNet’s published basis with unit, orthogonal components', () => {
    const v = IMAGENET_COLOR_BASIS.eigenvectors;
    for (const p of v) expect(dot(p, p)).toBeCloseTo(1, 3);
    expect(dot(v[0] as number[], v[1] as number[])).toBeCloseTo(0, 3);
  });
});
