import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from './configurations.js';
import type { Cell } from './outcome.js';
import { rowsFor } from './report.js';
import { renderResultsFile } from './results-file.js';
import { CUDA_TARGETS, ISSUE17_TARGETS, TARGET_SETS, targetsTable } from './targets.js';
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
    expect(table.headers).toEqual(['workload', 'native', 'reference', 'ratio', 'goal', 'met']);
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
    // A side without a number says why; no ratio, nothing judged.
    expect(byTitle.get('VGG-16 forward, batch 1')).toEqual([
      'failed',
      '150 ms (onnxruntime-node)',
      '—',
      '≤ 1.20×',
      '—',
    ]);
    // The training step of AlexNet is no native target.
    expect(byTitle.has('AlexNet train step, batch 32')).toBe(false);
  });

  it('reports cuda against PyTorch CUDA as ratios, without goals (issue 10)', () => {
    const gpu: Cell[] = [
      { configuration: 'cuda', workload: 'lenet5', outcome: ok([1.5, 1.5]) },
      { configuration: 'torch-cuda', workload: 'lenet5', outcome: ok([1, 1]) },
      { configuration: 'cuda', workload: 'alexnet-train', outcome: ok([24]) },
      { configuration: 'torch-cuda', workload: 'alexnet-train', outcome: ok([30]) },
      { configuration: 'cuda', workload: 'vgg16', outcome: ok([4]) },
      { configuration: 'torch-cuda', workload: 'vgg16', outcome: { kind: 'failed', reason: 'CUDA out of memory' } },
    ];
    const gpuRows = new Map(workloads.map((w) => [w.id, rowsFor(w, gpu, CONFIGURATIONS)]));
    const table = targetsTable(workloads, gpuRows, CUDA_TARGETS);
    expect(table.headers).toEqual(['workload', 'convkit cuda', 'PyTorch CUDA', 'convkit / PyTorch', 'goal']);
    expect(table.rows).toEqual([
      ['LeNet-5 train step, batch 64', '1.50 ms (convkit cuda)', '1.00 ms (PyTorch CUDA)', '1.50×', 'report'],
      ['AlexNet train step, batch 32', '24.0 ms (convkit cuda)', '30.0 ms (PyTorch CUDA)', '0.80×', 'report'],
      ['VGG-16 forward, batch 1', '4.00 ms (convkit cuda)', 'failed', '—', 'report'],
    ]);
  });

  it('says "no GPU here" and "PyTorch CUDA unavailable" where a side could not run, on the workloads chosen', () => {
    const none: Cell[] = [
      { configuration: 'cuda', workload: 'lenet5', outcome: { kind: 'unavailable', reason: 'cuda: no CUDA device' } },
      { configuration: 'torch-cuda', workload: 'lenet5', outcome: { kind: 'unavailable', reason: 'CPU-only build' } },
      { configuration: 'cuda', workload: 'vgg16', outcome: { kind: 'unavailable', reason: 'cuda: no CUDA device' } },
    ];
    const chosen = WORKLOADS.filter((w) => w.id === 'lenet5' || w.id === 'vgg16');
    const noneRows = new Map(chosen.map((w) => [w.id, rowsFor(w, none, CONFIGURATIONS)]));
    expect(targetsTable(chosen, noneRows, CUDA_TARGETS).rows).toEqual([
      ['LeNet-5 train step, batch 64', 'no GPU here', 'PyTorch CUDA unavailable', '—', 'report'],
      // torch-cuda was not asked for: "—".
      ['VGG-16 forward, batch 1', 'no GPU here', '—', '—', 'report'],
    ]);
  });

  it("rates issue 17's four targets, wasm on 2 threads against native on the same LeNet-5 step", () => {
    const run: Cell[] = [
      { configuration: 'native', workload: 'alexnet-train', outcome: ok([1300, 1304, 1310]) },
      { configuration: 'torch', workload: 'alexnet-train', outcome: ok([825]) },
      { configuration: 'native', workload: 'lenet5', outcome: ok([2, 2, 2]) },
      { configuration: 'torch', workload: 'lenet5', outcome: ok([4, 4]) },
      { configuration: 'wasm-2t', workload: 'lenet5', outcome: ok([7, 7, 7]) },
      { configuration: 'wasm-1t', workload: 'lenet5', outcome: ok([12]) },
      { configuration: 'native', workload: 'mnist', outcome: { kind: 'failed', reason: 'boom' } },
      { configuration: 'torch', workload: 'mnist', outcome: ok([3376]) },
    ];
    const all = WORKLOADS;
    const runRows = new Map(all.map((w) => [w.id, rowsFor(w, run, CONFIGURATIONS)]));
    const table = targetsTable(all, runRows, ISSUE17_TARGETS);
    expect(table.headers).toEqual(['workload', 'convkit', 'reference', 'ratio', 'goal', 'met']);
    // Ratios by hand: 1304 / 825 = 1.58, 2 / 4 = 0.50, 7 / 2 = 3.50.
    expect(table.rows).toEqual([
      ['AlexNet train step, batch 32', '1,304 ms (convkit native)', '825 ms (PyTorch CPU)', '1.58×', '≤ 1.00×', 'no'],
      ['LeNet-5 train step, batch 64', '2.00 ms (convkit native)', '4.00 ms (PyTorch CPU)', '0.50×', '≤ 0.60×', 'yes'],
      [
        'LeNet-5 train step, batch 64',
        '7.00 ms (convkit wasm 2 threads)',
        '2.00 ms (convkit native)',
        '3.50×',
        '≤ 3.00×',
        'no',
      ],
      ['LeNet-5 epoch on MNIST (60,000, batch 64)', 'failed', '3,376 ms (PyTorch CPU)', '—', '≤ 0.80×', '—'],
    ]);
    expect(TARGET_SETS).toContain(ISSUE17_TARGETS);
  });

  it('go into RESULTS.md under their titles', () => {
    const table = targetsTable(workloads, rows);
    const md = renderResultsFile({
      machine: { date: 'd', cpu: 'c', cores: 2, memoryGiB: 1, os: 'o', node: 'n', loadAverage: 0 },
      command: 'pnpm bench',
      quick: false,
      versions: [],
      missing: [],
      workloads: [],
      configurations: CONFIGURATIONS,
      rows,
      targets: [
        { title: 'Native backend targets (issue 9)', table },
        { title: CUDA_TARGETS.title, table: targetsTable(workloads, rows, CUDA_TARGETS) },
      ],
    });
    expect(md).toContain('## Native backend targets (issue 9)\n\n| workload | native |');
    expect(md).toContain('## CUDA backend against PyTorch CUDA (issue 10)\n\n| workload | convkit cuda |');
  });
});
