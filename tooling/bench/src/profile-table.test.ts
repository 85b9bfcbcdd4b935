import { describe, expect, it } from 'vitest';
import { aggregateKernels, comparisonTable, kernelTable } from './profile-table.js';

const samples = [
  { name: 'Conv2D', ms: 30 },
  { name: 'Add', ms: 5 },
  { name: 'Conv2D', ms: 10 },
  { name: 'Conv2D', ms: 34 },
  { name: 'Add', ms: 1 },
];

describe('per-kernel profile table', () => {
  it('sums calls and time per kernel, per step, slowest first, with shares of the total', () => {
    // Two steps: Conv2D 74 ms over 3 calls, Add 6 ms over 2; total 80.
    expect(aggregateKernels(samples, 2)).toEqual([
      { kernel: 'Conv2D', callsPerStep: 1.5, msPerStep: 37, share: 74 / 80 },
      { kernel: 'Add', callsPerStep: 1, msPerStep: 3, share: 6 / 80 },
    ]);
  });

  it('rejects a step count that is not a positive integer, naming it', () => {
    expect(() => aggregateKernels(samples, 0)).toThrow('steps must be a positive integer, received 0');
  });

  it('folds the rows past `top` into one and ends with the total', () => {
    const table = kernelTable(aggregateKernels(samples, 2), 1).split('\n');
    expect(table).toEqual([
      '| kernel | calls/step | GPU ms/step | share |',
      '|---|---:|---:|---:|',
      '| Conv2D | 1.5 | 37.0 | 92.5 % |',
      '| 1 other kernels | 1 | 3.00 | 7.5 % |',
      '| **total** | 2.5 | 40.0 | 100 % |',
    ]);
  });

  it('compares two kernel sets kernel by kernel, as stock ÷ convkit', () => {
    const stock = aggregateKernels(samples, 1);
    const convkit = aggregateKernels(
      [
        { name: 'Conv2D', ms: 7.4 },
        { name: 'Add', ms: 6 },
      ],
      1,
    );
    expect(comparisonTable(stock, convkit).split('\n').slice(2)).toEqual([
      '| Conv2D | 74.0 | 7.40 | 10.0× |',
      '| Add | 6.00 | 6.00 | 1.0× |',
      '| **all kernels** | 80.0 | 13.4 | 6.0× |',
    ]);
  });
});
