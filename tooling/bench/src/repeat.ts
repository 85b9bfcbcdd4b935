import type { Configuration } from './configurations.js';
import type { Outcome } from './outcome.js';
import { shortReason } from './report.js';
import { summarize } from './stats.js';
import { formatMs, formatRatio, type Table } from './table.js';
import type { Workload } from './workloads.js';

/**
 * Each cell's outcomes, one per invocation (`--repeat N`), keyed by
 * `configuration/workload`. One invocation's median can be far from the
 * next one's (a busy machine, threads that spin while another process
 * wants the core), which a single invocation cannot show.
 */
export type Invocations = ReadonlyMap<string, readonly Outcome[]>;

export function invocationKey(configuration: Configuration['id'], workload: Workload['id']): string {
  return `${configuration}/${workload}`;
}

/**
 * One outcome for the main tables: every invocation's timed runs pooled, or
 * the first invocation that has no numbers (its reason says which it was).
 */
export function mergeInvocations(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length === 1) return outcomes[0] as Outcome;
  const index = outcomes.findIndex((o) => o.kind !== 'ok');
  const first = outcomes[index];
  if (first !== undefined && first.kind !== 'ok') {
    return { ...first, reason: `invocation ${index + 1} of ${outcomes.length}: ${first.reason}` };
  }
  const runs = outcomes.filter((o) => o.kind === 'ok');
  const [head] = runs;
  if (head === undefined) throw new Error('mergeInvocations needs at least one outcome');
  return {
    kind: 'ok',
    warmupMs: runs.flatMap((o) => o.warmupMs),
    samplesMs: runs.flatMap((o) => o.samplesMs),
    runtime: head.runtime,
  };
}

/** Per workload and configuration: each invocation's median, then min, median and max of those medians. */
export function invocationsTable(
  workloads: readonly Workload[],
  invocations: Invocations,
  configurations: readonly Configuration[],
): Table {
  const rows: string[][] = [];
  for (const workload of workloads) {
    for (const configuration of configurations) {
      const outcomes = invocations.get(invocationKey(configuration.id, workload.id));
      if (outcomes === undefined) continue;
      const medians = outcomes.map((o) =>
        o.kind === 'ok' && o.samplesMs.length > 0 ? summarize(o.samplesMs).medianMs : undefined,
      );
      const each = outcomes.map((o, i) => {
        const median = medians[i];
        return median === undefined ? shortReason(o) || 'no runs' : formatMs(median);
      });
      const present = medians.filter((m): m is number => m !== undefined);
      if (present.length === 0) {
        rows.push([workload.title, configuration.label, each.join(', '), '—', '—', '—', '—']);
        continue;
      }
      const across = summarize(present);
      rows.push([
        workload.title,
        configuration.label,
        each.join(', '),
        formatMs(across.minMs),
        formatMs(across.medianMs),
        formatMs(across.maxMs),
        formatRatio(across.maxMs / across.minMs),
      ]);
    }
  }
  return {
    headers: [
      'workload',
      'configuration',
      'median of each invocation, ms',
      'min ms',
      'median ms',
      'max ms',
      'max / min',
    ],
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'right'],
    rows,
  };
}
