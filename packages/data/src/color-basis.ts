import type { ImageDataset } from './dataset.js';

/**
 * The principal components of RGB pixel colour, for AlexNet's colour noise:
 * the eigenvalues (largest first) and unit eigenvectors of the 3×3 covariance
 * of pixels scaled to [0, 1]. `eigenvectors[i]` is the i-th component `p_i`
 * as `[r, g, b]` (a column of the eigenvector matrix). On this scale
 * ImageNet's basis is the one fb.resnet.torch and torchvision's reference
 * scripts publish, {@link IMAGENET_COLOR_BASIS}.
 */
export interface ColorBasis {
  eigenvalues: [number, number, number];
  eigenvectors: number[][];
}

/** ImageNet's RGB principal components (fb.resnet.torch's `pca`), on the [0, 1] scale. */
export const IMAGENET_COLOR_BASIS: ColorBasis = {
  eigenvalues: [0.2175, 0.0188, 0.0045],
  eigenvectors: [
    [-0.5675, -0.5808, -0.5836],
    [0.7192, -0.0045, -0.6948],
    [0.4009, -0.814, 0.4203],
  ],
};

type Matrix3 = [number, number, number][];

/**
 * Eigenvalues and eigenvectors (as columns of `vectors`) of a symmetric 3×3
 * matrix by cyclic Jacobi rotations: each rotation zeroes one off-diagonal
 * entry, and the off-diagonal mass shrinks quadratically, so a handful of
 * sweeps reach double precision. Exact for symmetric input, unlike a generic
 * QR, and small enough to read.
 */
export function symmetricEigen3(matrix: readonly (readonly number[])[]): { values: number[]; vectors: number[][] } {
  const a: Matrix3 = [0, 1, 2].map((i) => [0, 1, 2].map((j) => matrix[i]?.[j] ?? Number.NaN)) as Matrix3;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const x = a[i]?.[j] as number;
      if (!Number.isFinite(x) || x !== a[j]?.[i]) {
        throw new RangeError(`symmetricEigen3 needs a finite symmetric 3×3 matrix, got ${JSON.stringify(matrix)}`);
      }
    }
  }
  const v: Matrix3 = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const at = (m: Matrix3, i: number, j: number) => m[i]?.[j] as number;
  const set = (m: Matrix3, i: number, j: number, x: number) => {
    (m[i] as number[])[j] = x;
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = at(a, 0, 1) ** 2 + at(a, 0, 2) ** 2 + at(a, 1, 2) ** 2;
    const scale = at(a, 0, 0) ** 2 + at(a, 1, 1) ** 2 + at(a, 2, 2) ** 2 + off;
    if (off <= 1e-30 * scale || off === 0) break;
    for (const [p, q] of [
      [0, 1],
      [0, 2],
      [1, 2],
    ] as const) {
      const apq = at(a, p, q);
      if (apq === 0) continue;
      // The rotation angle that zeroes a[p][q] (Numerical Recipes §11.1, the smaller root for stability).
      const theta = (at(a, q, q) - at(a, p, p)) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1);
      const s = t * c;
      for (let k = 0; k < 3; k++) {
        const akp = at(a, k, p);
        const akq = at(a, k, q);
        set(a, k, p, c * akp - s * akq);
        set(a, k, q, s * akp + c * akq);
      }
      for (let k = 0; k < 3; k++) {
        const apk = at(a, p, k);
        const aqk = at(a, q, k);
        set(a, p, k, c * apk - s * aqk);
        set(a, q, k, s * apk + c * aqk);
      }
      for (let k = 0; k < 3; k++) {
        const vkp = at(v, k, p);
        const vkq = at(v, k, q);
        set(v, k, p, c * vkp - s * vkq);
        set(v, k, q, s * vkp + c * vkq);
      }
    }
  }
  return { values: [0, 1, 2].map((i) => at(a, i, i)), vectors: v };
}

/**
 * PCA of the RGB pixel colours of `dataset` (pixels scaled to [0, 1], sample
 * covariance), for {@link AugmentOptions.colorNoise}. `sample` limits the work
 * to that many images, evenly spaced through the dataset (default: all).
 * Each eigenvector's sign is fixed so its largest component is positive.
 *
 * @example
 * const basis = colorBasis(loadCifar10(dir), 5000);
 * batches(train, { augment: { colorNoise: { std: 0.1, basis } } });
 */
export function colorBasis(dataset: ImageDataset, sample: number = dataset.count): ColorBasis {
  if (dataset.channels !== 3) {
    throw new RangeError(`colorBasis needs RGB images (channels 3), got channels ${dataset.channels}`);
  }
  if (!Number.isInteger(sample) || sample < 1 || sample > dataset.count) {
    throw new RangeError(
      `colorBasis: sample must be an integer in 1…${dataset.count} (the image count), got ${sample}`,
    );
  }
  const pixels = dataset.height * dataset.width;
  const n = sample * pixels;
  if (n < 2) throw new RangeError(`colorBasis needs at least 2 pixels for a covariance, got ${n}`);
  // Sums and cross-products in float64; exact for any realistic dataset (< 2^53 / 255^2 pixels).
  const sum = [0, 0, 0];
  const cross = [0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let s = 0; s < sample; s++) {
    const image = Math.floor((s * dataset.count) / sample) * pixels * 3;
    for (let p = 0; p < pixels; p++) {
      const at = image + 3 * p;
      for (let i = 0; i < 3; i++) {
        const x = dataset.images[at + i] as number;
        sum[i] = (sum[i] as number) + x;
        for (let j = 0; j < 3; j++)
          cross[3 * i + j] = (cross[3 * i + j] as number) + x * (dataset.images[at + j] as number);
      }
    }
  }
  const covariance = [0, 1, 2].map((i) =>
    [0, 1, 2].map(
      (j) => ((cross[3 * i + j] as number) - ((sum[i] as number) * (sum[j] as number)) / n) / (n - 1) / (255 * 255),
    ),
  );
  const { values, vectors } = symmetricEigen3(covariance);
  const order = [0, 1, 2].sort((i, j) => (values[j] as number) - (values[i] as number));
  const eigenvectors = order.map((k) => {
    const column = [0, 1, 2].map((r) => vectors[r]?.[k] as number);
    const largest = column.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
    return column.map((x) => (largest < 0 ? -x : x));
  });
  // Round-off can leave a tiny negative eigenvalue on a covariance of rank < 3.
  const eigenvalues = order.map((k) => Math.max(0, values[k] as number)) as [number, number, number];
  return { eigenvalues, eigenvectors };
}
