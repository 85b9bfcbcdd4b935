// GoogLeNet's Table 1 (Szegedy et al. 2014) as printed, for the tests only:
// the zoo computes these numbers, so the printed ones are an oracle, not data
// the library ships.

/**
 * Table 1 of the paper as printed: per stage its output, "params" (in K,
 * weights only, no biases) and "ops" (in M, multiply-accumulates). The
 * computed values are asserted in the tests; where the paper's figure
 * disagrees with its own widths, the note says by how much.
 */
export interface PaperRow {
  stage: string;
  output: [number, number, number];
  /** The paper's "params" column, K (1 K = 1024 weights where consistent; biases left out). */
  paramsK?: number;
  /** The paper's "ops" column, M. */
  opsM?: number;
  note?: string;
}

export const paperTable: readonly PaperRow[] = [
  // computed: weights (no biases) / 1024, MACs / 1e6 at 224 with the Caffe model
  { stage: 'conv1', output: [112, 112, 64], paramsK: 2.7, opsM: 34,
    note: 'inconsistent: 7×7×3×64 = 9,408 weights (9.2 K), 118.0 M MACs; the printed 2.7 K / 34 M match neither' },
  { stage: 'pool1', output: [56, 56, 64] },
  { stage: 'conv2', output: [56, 56, 192], paramsK: 112, opsM: 360, note: '114,688 weights = 112.0 K, 359.7 M MACs' },
  { stage: 'pool2', output: [28, 28, 192] },
  { stage: '3a', output: [28, 28, 256], paramsK: 159, opsM: 128, note: '163,328 = 159.5 K, 128.0 M' },
  { stage: '3b', output: [28, 28, 480], paramsK: 380, opsM: 304, note: '388,096 = 379.0 K, 304.3 M' },
  { stage: 'pool3', output: [14, 14, 480] },
  { stage: '4a', output: [14, 14, 512], paramsK: 364, opsM: 73, note: 'params inconsistent: 375,552 = 366.8 K; 73.6 M' },
  { stage: '4b', output: [14, 14, 512], paramsK: 437, opsM: 88, note: '448,512 = 438.0 K, 87.9 M' },
  { stage: '4c', output: [14, 14, 512], paramsK: 463, opsM: 100, note: 'params inconsistent: 509,440 = 497.5 K; 99.9 M' },
  { stage: '4d', output: [14, 14, 528], paramsK: 580, opsM: 119, note: 'params inconsistent: 604,672 = 590.5 K; 118.5 M' },
  { stage: '4e', output: [14, 14, 832], paramsK: 840, opsM: 170, note: 'params inconsistent: 867,328 = 847.0 K; 170.0 M' },
  { stage: 'pool4', output: [7, 7, 832] },
  { stage: '5a', output: [7, 7, 832], paramsK: 1072, opsM: 54,
    note: 'both inconsistent: 1,042,432 = 1018.0 K, 51.1 M MACs' },
  { stage: '5b', output: [7, 7, 1024], paramsK: 1388, opsM: 71, note: 'params inconsistent: 1,442,816 = 1409.0 K; 70.7 M' },
  { stage: 'pool5', output: [1, 1, 1024] },
  { stage: 'fc', output: [1, 1, 1000], paramsK: 1000, opsM: 1, note: '1,024,000 = 1000.0 K, 1.0 M' },
]; // biome-ignore format: the paper's Table 1
