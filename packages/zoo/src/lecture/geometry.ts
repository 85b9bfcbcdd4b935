// Output size, padding and receptive field: the lecture's geometry, each
// number computed by @convkit/shape's one formula rather than typed in.
import { explainOutputSize, outputSize, receptiveField, samePadding } from '@convkit/shape';

/** One case of the output-size table: a label, the input side and the window. */
export type OutputSizeCase = [
  label: string,
  input: number,
  window: { kernel: number; stride?: number; padding?: number },
];

/** The course's output-size cases, shared by the docs' table and `convkit lecture`. */
export const OUTPUT_SIZE_CASES: readonly OutputSizeCase[] = [
  ['6×6 input, 3×3 filter, stride 1', 6, { kernel: 3 }],
  ['6×6 input, 3×3 filter, stride 2', 6, { kernel: 3, stride: 2 }],
  ['7×7 input, 3×3 filter, stride 1', 7, { kernel: 3 }],
  ['7×7 input, 3×3 filter, stride 2', 7, { kernel: 3, stride: 2 }],
  ['7×7 input, 3×3 filter, stride 3', 7, { kernel: 3, stride: 3 }],
  ['8×8 input, 3×3 filter, stride 1', 8, { kernel: 3 }],
  ['28×28 input, 3×3 filter, padding 1', 28, { kernel: 3, padding: 1 }],
  ['32×32 input, 5×5 filter, stride 1', 32, { kernel: 5 }],
  ['AlexNet conv1: 227, 11×11, stride 4', 227, { kernel: 11, stride: 4 }],
  ['AlexNet conv1 as printed: 224, 11×11, stride 4', 224, { kernel: 11, stride: 4 }],
  ['AlexNet pool1: 55, 3×3, stride 2', 55, { kernel: 3, stride: 2 }],
];

/** One explained case: its formula with numbers, whether it divides exactly, the size and a verdict to print. */
export interface OutputSizeRow {
  label: string;
  formula: string;
  exact: boolean;
  size: number;
  verdict: string;
}

/** The output-size cases, each explained by `explainOutputSize` (with the fixes of an inexact one). */
export function outputSizeCases(cases: readonly OutputSizeCase[] = OUTPUT_SIZE_CASES): OutputSizeRow[] {
  return cases.map(([label, n, window]) => {
    const e = explainOutputSize(n, window);
    return {
      label,
      formula: e.formula,
      exact: e.exact,
      size: e.size,
      verdict: e.exact ? `${e.size}` : `does not fit (floored to ${e.size}): use ${e.fixes.join(' or ')}`,
    };
  });
}

/** `(K − 1)/2` for odd kernels: the padding that keeps a 32×32 input at 32×32 at stride 1. */
export function samePaddingRows(kernels: readonly number[] = [1, 3, 5, 7]) {
  return kernels.map((k) => {
    const [before, after] = samePadding(k);
    return { kernel: k, before, after, output: outputSize(32, { kernel: k, padding: [before, after] }) };
  });
}

/** Receptive field of 1…n stacked 3×3 convolutions (stride 1). */
export function stackedFields(n = 4) {
  return Array.from({ length: n }, (_, i) => {
    const layers = Array.from({ length: i + 1 }, () => ({ kernel: 3, padding: 1 }));
    return { layers: i + 1, field: receptiveField(layers).size };
  });
}
