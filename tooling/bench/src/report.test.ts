import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from './configurations.js';
import type { Cell } from './outcome.js';
import { detailTable, rowsFor, summaryTable } from './report.js';
import { renderResultsFile } from './results-file.js';
import { WORKLOADS, type Workload } from './workloads.js';

const conv = WORKLOADS.find((w) => w.id === 'conv3x3') as Workload;
const lenet = WORKLOADS.find((w) => w.id === 'lenet5') as Workload;
const configurations = CONFIGURATIONS.filter((c) => ['wasm', 'tfjs-wasm', 'ort'].includes(c.id));
const cells: Cell[] = [
  {
    configuration: 'wasm',
    workload: 'conv3x3',
    outcome: { kind: 'ok', warmupMs: [90], samplesMs: [20, 22, 21], runtime: 'wasm' },
  },
  {
    configuration: 'ort',
    workload: 'conv3x3',
    outcome: { kind: 'ok', warmupMs: [9], samplesMs: [10, 12, 9], runtime: 'ort' },
  },
  { configuration: 'tfjs-wasm', workload: 'conv3x3', outcome: { kind: 'failed', reason: 'boom' } },
  { configuration: 'ort', workload: 'lenet5', outcome: { kind: 'cannot-train', reason: 'inference only' } },
];

describe('rowsFor', () => {
  it('summarizes each configuration and rates it against the fastest median', () => {
    const rows = rowsFor(conv, cells, configurations);
    expect(rows.map((r) => [r.configuration.id, r.summary?.medianMs, r.ratio])).toEqual([
      ['wasm', 21, 21 / 10],
      ['tfjs-wasm', undefined, undefined],
      ['ort', 10, 1],
    ]);
    // 8 × 115,605,504 MACs in 10 ms.
    expect(rows[2]?.gflops).toBeCloseTo((2 * 924_844_032) / 10e6, 6);
  });
});

describe('tables', () => {
  const rows = new Map([
    ['conv3x3' as const, rowsFor(conv, cells, configurations)],
    ['lenet5' as const, rowsFor(lenet, cells, configurations)],
  ]);

  it('put workloads side by side with the reason where there is no number', () => {
    const t = summaryTable([lenet, conv], rows, configurations);
    expect(t.rows).toEqual([
      ['convkit wasm', '', '21.0 ms (2.10×)'],
      ['tfjs wasm (stock)', '', 'failed'],
      ['onnxruntime-node', 'cannot train', '10.0 ms (1.00×)'],
    ]);
  });

  it('detail median, min, max, runs, GFLOP/s, ratio and what ran', () => {
    const t = detailTable(rows.get('conv3x3') ?? []);
    expect(t.rows[0]).toEqual(['convkit wasm', '21.0', '20.0', '22.0', '3', '88.1', '2.10×', 'wasm']);
    expect(t.rows[1]).toEqual(['tfjs wasm (stock)', '—', '—', '—', '0', '—', '—', 'failed: boom']);
  });

  it('go into RESULTS.md with the machine and the versions', () => {
    const md = renderResultsFile({
      machine: {
        date: '2026-01-01T00:00:00Z',
        cpu: 'AMD EPYC',
        cores: 2,
        memoryGiB: 23,
        os: 'Linux',
        node: 'v20.20.2',
        loadAverage: 0.1,
      },
      command: 'pnpm bench -- --quick',
      quick: true,
      versions: ['PyTorch 1.13.1 CPU'],
      missing: [],
      workloads: [conv],
      configurations,
      rows,
    });
    expect(md).toContain('- machine: AMD EPYC, 2 cores, 23 GiB, Linux');
    expect(md).toContain('- PyTorch 1.13.1 CPU');
    expect(md).toContain('**Quick run**');
    expect(md).toContain('| onnxruntime-node | 10.0 ms (1.00×) |');
    expect(md).not.toMatch(/\n\n\n/);
    expect(md).not.toContain('invocations');
  });

  it('add the spread across invocations when the run was repeated', () => {
    const md = renderResultsFile({
      machine: {
        date: '2026-01-01T00:00:00Z',
        cpu: 'AMD EPYC',
        cores: 2,
        memoryGiB: 23,
        os: 'Linux',
        node: 'v20.20.2',
        loadAverage: 0.1,
      },
      command: 'pnpm bench -- --repeat 2',
      quick: false,
      versions: [],
      missing: [],
      workloads: [conv],
      configurations,
      rows,
      invocations: {
        count: 2,
        loads: [0.1, 1.25],
        table: { headers: ['workload', 'configuration'], align: [], rows: [['conv', 'wasm']] },
      },
    });
    expect(md).toContain('## Across 2 invocations (`--repeat 2`)');
    expect(md).toContain('Load average at the start of each invocation: 0.1, 1.25.');
    expect(md).toContain('| conv | wasm |');
  });
});
