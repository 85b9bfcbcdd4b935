import type { Configuration } from './configurations.js';
import { workloadMacs } from './cost.js';
import type { Cell, Outcome } from './outcome.js';
import { gflops, ratiosToFastest, type Summary, summarize } from './stats.js';
import { formatGflops, formatMs, formatRatio, type Table } from './table.js';
import type { Workload } from './workloads.js';

/** One configuration's figures on one workload, with its ratio to the fastest configuration there. */
export interface Row {
  configuration: Configuration;
  outcome: Outcome;
  summary?: Summary;
  gflops?: number;
  ratio?: number;
}

/** The rows of one workload, in configuration order, ratios against the fastest median. */
export function rowsFor(workload: Workload, cells: readonly Cell[], configurations: readonly Configuration[]): Row[] {
  const macs = workloadMacs(workload);
  const rows = configurations.flatMap((configuration): Row[] => {
    const cell = cells.find((c) => c.workload === workload.id && c.configuration === configuration.id);
    if (!cell) return [];
    if (cell.outcome.kind !== 'ok' || cell.outcome.samplesMs.length === 0) {
      return [{ configuration, outcome: cell.outcome }];
    }
    const summary = summarize(cell.outcome.samplesMs);
    return [{ configuration, outcome: cell.outcome, summary, gflops: gflops(macs, summary.medianMs) }];
  });
  const ratios = ratiosToFastest(rows.map((r) => r.summary?.medianMs));
  return rows.map((r, i) => {
    const ratio = ratios[i];
    return ratio === undefined ? r : { ...r, ratio };
  });
}

/** Why a cell has no number, short enough for a table cell. */
export function shortReason(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'ok':
      return outcome.samplesMs.length === 0 ? 'no runs' : '';
    case 'cannot-train':
      return 'cannot train';
    case 'unavailable':
      return 'unavailable';
    case 'skipped':
      return 'skipped';
    case 'failed':
      return 'failed';
  }
}

/** One workload in detail: median, min, max, runs, GFLOP/s, ratio and what ran. */
export function detailTable(rows: readonly Row[]): Table {
  return {
    headers: ['configuration', 'median ms', 'min ms', 'max ms', 'runs', 'GFLOP/s', 'vs fastest', 'what ran'],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
    rows: rows.map((r) => {
      const s = r.summary;
      const what = r.outcome.kind === 'ok' ? r.outcome.runtime : `${shortReason(r.outcome)}: ${r.outcome.reason}`;
      if (!s) return [r.configuration.label, '—', '—', '—', '0', '—', '—', what];
      return [
        r.configuration.label,
        formatMs(s.medianMs),
        formatMs(s.minMs),
        formatMs(s.maxMs),
        String(s.runs),
        r.gflops === undefined ? '—' : formatGflops(r.gflops),
        r.ratio === undefined ? '—' : formatRatio(r.ratio),
        what,
      ];
    }),
  };
}

/** Every workload side by side: one row per configuration, `median ms (ratio)` per workload. */
export function summaryTable(
  workloads: readonly Workload[],
  rowsByWorkload: ReadonlyMap<Workload['id'], readonly Row[]>,
  configurations: readonly Configuration[],
): Table {
  return {
    headers: ['configuration', ...workloads.map((w) => w.title)],
    align: ['left', ...workloads.map(() => 'right' as const)],
    rows: configurations.map((configuration) => [
      configuration.label,
      ...workloads.map((w) => {
        const row = rowsByWorkload.get(w.id)?.find((r) => r.configuration.id === configuration.id);
        if (!row) return '';
        if (!row.summary) return shortReason(row.outcome);
        const ratio = row.ratio === undefined ? '' : ` (${formatRatio(row.ratio)})`;
        return `${formatMs(row.summary.medianMs)} ms${ratio}`;
      }),
    ]),
  };
}
