import { describe, expect, it } from 'vitest';
import { aggregateKernels, comparisonTable, kernelTable } from './profile-table.js';

const samples = [
  { name: 'Conv2D', ms: 30, step: 0 },
  { name: 'Add', ms: 5, step: 0 },
  { name: 'Conv2D', ms: 10, step: 0 },
  { name: 'Conv2D', ms: 34, step: 1 },
  { name: 'Add', ms: 1, step: 1 },
];

describe('per-kernel profile table', () => {
  it('sums each kernel per step and takes the median over steps, slowest first, with shares', () => {
    // Conv2D: 40 ms in step 0 (two calls), 34 in step 1 → median 37; Add: 5 and 1 → 3; total 40.
    expect(aggregateKernels(samples, 2)).toEqual([
      { kernel: 'Conv2D', callsPerStep: 1.5, msPerStep: 37, share: 37 / 40 },
      { kernel: 'Add', callsPerStep: 1, msPerStep: 3, share: 3 / 40 },
    ]);
  });

  it('takes the median, so one slowed step does not move the row', () => {
    const three = [10, 11, 90].map((ms, step) => ({ name: 'Conv2D', ms, step }));
    expect(aggregateKernels(three, 3)[0]?.msPerStep).toBe(11);
  });

  it('rejects a step count that is not a positive integer, naming it', () => {
    expect(() => aggregateKernels(samples, 0)).toThrow('steps must be a positive integer, received 0');
    expect(() => aggregateKernels(samples, 1)).toThrow('Conv2D: step 1 is not one of the 1 profiled steps');
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
    const stock = aggregateKernels(
      samples.map((s) => ({ ...s, step: 0 })),
      1,
    );
    const convkit = aggregateKernels(
      [
        { name: 'Conv2D', ms: 7.4, step: 0 },
        { name: 'Add', ms: 6, step: 0 },
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
