import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS } from './configurations.js';
import type { Outcome } from './outcome.js';
import { type Invocations, invocationsTable, mergeInvocations } from './repeat.js';
import { WORKLOADS, type Workload } from './workloads.js';

const ok = (samplesMs: number[], runtime = 'native'): Outcome => ({ kind: 'ok', warmupMs: [50], samplesMs, runtime });
const alexnet = WORKLOADS.find((w) => w.id === 'alexnet') as Workload;
const lenet = WORKLOADS.find((w) => w.id === 'lenet5') as Workload;
const configurations = CONFIGURATIONS.filter((c) => c.id === 'native' || c.id === 'ort');

describe('mergeInvocations', () => {
  it('pools the warm-up and timed runs of every invocation, in order', () => {
    expect(mergeInvocations([ok([14, 15]), ok([16]), ok([13, 20, 14])])).toEqual({
      ...ok([14, 15, 16, 13, 20, 14]),
      warmupMs: [50, 50, 50],
    });
  });

  it('keeps a single invocation as it is', () => {
    const only: Outcome = { kind: 'cannot-train', reason: 'inference only' };
    expect(mergeInvocations([only])).toBe(only);
  });

  it('reports the first invocation that did not run, saying which', () => {
    expect(mergeInvocations([ok([14]), { kind: 'failed', reason: 'segfault' }, ok([15])])).toEqual({
      kind: 'failed',
      reason: 'invocation 2 of 3: segfault',
    });
  });
});

describe('invocationsTable', () => {
  const invocations: Invocations = new Map([
    // medians 14, 40 (of 30, 40, 50), 15: spread 40 / 14.
    ['native/alexnet', [ok([13, 15]), ok([30, 50, 40]), ok([15])]],
    ['ort/alexnet', [ok([14]), ok([14]), ok([15])]],
    ['native/lenet5', [ok([3]), { kind: 'failed', reason: 'boom' }, ok([3])]],
    ['ort/lenet5', [{ kind: 'cannot-train', reason: 'inference only' }]],
  ]);

  it("lists each invocation's median, then min, median and max across them and their spread", () => {
    const table = invocationsTable([lenet, alexnet], invocations, configurations);
    expect(table.headers).toEqual([
      'workload',
      'configuration',
      'median of each invocation, ms',
      'min ms',
      'median ms',
      'max ms',
      'max / min',
    ]);
    expect(table.rows).toEqual([
      [lenet.title, 'convkit native', '3.00, failed, 3.00', '3.00', '3.00', '3.00', '1.00×'],
      [lenet.title, 'onnxruntime-node', 'cannot train', '—', '—', '—', '—'],
      [alexnet.title, 'convkit native', '14.0, 40.0, 15.0', '14.0', '15.0', '40.0', '2.86×'],
      [alexnet.title, 'onnxruntime-node', '14.0, 14.0, 15.0', '14.0', '14.0', '15.0', '1.07×'],
    ]);
  });
});
