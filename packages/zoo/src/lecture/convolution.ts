// The lecture's first worked example: two 3×3 filters slid over a 6×6
// black-and-white image, every output position with its sum of products.
import { outputSize } from '@convkit/shape';

/** The lecture's 6×6 black-and-white image (1 = ink), with a diagonal and a vertical stroke. */
export const IMAGE_6X6: number[][] = [
  [1, 0, 0, 0, 0, 1],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 1, 0, 0],
  [1, 0, 0, 0, 1, 0],
  [0, 1, 0, 0, 1, 0],
  [0, 0, 1, 0, 1, 0],
];

/** Its two 3×3 filters: a diagonal detector and a vertical-line detector. */
export const FILTERS_3X3: { name: string; weights: number[][] }[] = [
  {
    name: 'Filter 1',
    weights: [
      [1, -1, -1],
      [-1, 1, -1],
      [-1, -1, 1],
    ],
  },
  {
    name: 'Filter 2',
    weights: [
      [-1, 1, -1],
      [-1, 1, -1],
      [-1, 1, -1],
    ],
  },
];

/** One output of a convolution, with its work shown. */
export interface ConvStep {
  row: number;
  col: number;
  /** Top-left input pixel of the window (negative inside the padding). */
  top: number;
  left: number;
  /** `x·w` for each of the window's pixels, row-major; padded pixels are 0. */
  terms: { x: number; w: number }[];
  value: number;
}

/**
 * Every output position of a single-channel convolution (cross-correlation,
 * as in every framework), worked out. The output size comes from
 * `@convkit/shape`'s one formula, so an inexact stride floors as layers do.
 */
export function convolutionSteps(image: number[][], kernel: number[][], stride = 1, padding = 0): ConvStep[] {
  const k = kernel.length;
  const size = outputSize(image.length, { kernel: k, stride, padding });
  const steps: ConvStep[] = [];
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const top = row * stride - padding;
      const left = col * stride - padding;
      const terms: { x: number; w: number }[] = [];
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          terms.push({ x: image[top + i]?.[left + j] ?? 0, w: kernel[i]?.[j] ?? 0 });
        }
      }
      steps.push({ row, col, top, left, terms, value: terms.reduce((s, t) => s + t.x * t.w, 0) });
    }
  }
  return steps;
}

/** `1·1 + 0·(-1) + … = 3` written out: the sum of products of one step. */
export function stepFormula(step: ConvStep): string {
  const parts = step.terms.map(({ x, w }) => `${x}·${w < 0 ? `(${w})` : w}`);
  return `${parts.join(' + ')} = ${step.value}`;
}

/** A square map from its steps, row-major. */
export function mapOf(steps: ConvStep[]): number[][] {
  const size = Math.round(Math.sqrt(steps.length));
  return Array.from({ length: size }, (_, r) => steps.slice(r * size, (r + 1) * size).map((s) => s.value));
}
