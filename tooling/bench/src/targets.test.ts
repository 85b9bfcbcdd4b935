import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from './configurations.js';
import type { Cell } from './outcome.js';
import { rowsFor } from './report.js';
import { targetsTable } from './targets.js';
import { WORKLOADS } from './workloads.js';

const ok = (samplesMs: number[]) => ({ kind: 'ok' as const, warmupMs: [], samplesMs, runtime: 'x' });
const cells: Cell[] = [
  { configuration: 'native', workload: 'lenet5', outcome: ok([3, 3, 3]) },
  { configuration: 'torch', workload: 'lenet5', outcome: ok([4, 4, 4]) },
  { configuration: 'native', workload: 'conv3x3', outcome: ok([5]) },
  { configuration: 'torch', workload: 'sgemm', outcome: ok([50]) },
  { configuration: 'native', workload: 'sgemm', outcome: ok([40]) },
  { configuration: 'native', workload: 'alexnet', outcome: ok([13]) },
  { configuration: 'ort', workload: 'alexnet', outcome: ok([10]) },
  { configuration: 'native', workload: 'vgg16', outcome: { kind: 'failed', reason: 'boom' } },
  { configuration: 'ort', workload: 'vgg16', outcome: ok([150]) },
];
const workloads = WORKLOADS.filter((w) => w.id !== 'mnist');
const rows = new Map(workloads.map((w) => [w.id, rowsFor(w, cells, CONFIGURATIONS)]));

describe('targetsTable', () => {
  it('rates native against the peer or the fastest SGEMM of the run, and says whether each goal is met', () => {
    const table = targetsTable(workloads, rows);
    const byTitle = new Map(table.rows.map((r) => [r[0], r.slice(1)]));
    expect(byTitle.get('LeNet-5 train step, batch 64')).toEqual([
      '3.00 ms (convkit native)',
      '4.00 ms (PyTorch CPU)',
      '0.75×',
      '≤ 1.00×',
      'yes',
    ]);
    // conv: 0.925 G MACs in 5 ms = 370 GFLOP/s; SGEMM 2048³ + bias in 40 ms = 430 GFLOP/s.
    const conv = byTitle.get('conv 3×3 64→64 56², batch 8') as string[];
    expect(conv.slice(2)).toEqual(['86 %', '≥ 80 %', 'yes']);
    expect(conv[1]).toMatch(/GFLOP\/s \(convkit native\)$/);
    expect(byTitle.get('AlexNet forward, batch 1')?.slice(2)).toEqual(['1.30×', '≤ 1.20×', 'no']);
    expect(byTitle.get('VGG-16 forward, batch 1')).toEqual(['—', '—', '—', '≤ 1.20×', '—']);
  });
});
