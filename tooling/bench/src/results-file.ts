import type { Configuration } from './configurations.js';
import type { Machine } from './machine.js';
import { detailTable, type Row, summaryTable } from './report.js';
import { renderMarkdown, type Table } from './table.js';
import type { Workload } from './workloads.js';

export interface ResultsDocument {
  machine: Machine;
  /** The command line the run was started with, so partial and quick runs say so. */
  command: string;
  quick: boolean;
  /** Peer and library versions, in words (`PyTorch 1.13.1 CPU`, `onnxruntime-node 1.30.0`, …). */
  versions: string[];
  /** Peers that were asked for but could not run, with the reason. */
  missing: string[];
  workloads: readonly Workload[];
  configurations: readonly Configuration[];
  rows: ReadonlyMap<Workload['id'], readonly Row[]>;
  /** The backends' targets with their ratios (targets.ts): issue 9's when native ran, issue 10's when cuda did. */
  targets?: readonly { title: string; table: Table }[];
  /** `--repeat N` (N > 1): each invocation's median per cell and their spread (repeat.ts). */
  invocations?: { count: number; loads: readonly number[]; table: Table };
}

function invocationsSection({ count, loads, table }: NonNullable<ResultsDocument['invocations']>): string[] {
  return [
    `## Across ${count} invocations (\`--repeat ${count}\`)`,
    '',
    'Each invocation runs every cell in a fresh child process, as a separate `pnpm bench` would; the tables above pool their timed runs.',
    `Load average at the start of each invocation: ${loads.join(', ')}.`,
    '',
    renderMarkdown(table),
    '',
  ];
}

/** RESULTS.md: the machine, the versions, the side-by-side table, then each workload in detail. */
export function renderResultsFile(doc: ResultsDocument): string {
  const m = doc.machine;
  const lines = [
    '# convkit benchmark results',
    '',
    'Written by `pnpm bench` (tooling/bench); see README.md there for what each column means.',
    doc.quick ? '\n**Quick run** (`--quick`): few repetitions, indicative only.' : '',
    '',
    `- date: ${m.date}`,
    `- machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}`,
    `- load average at start: ${m.loadAverage} (other work on the machine slows every row, the 2-thread peers most)`,
    `- Node ${m.node}`,
    ...doc.versions.map((v) => `- ${v}`),
    ...doc.missing.map((v) => `- missing: ${v}`),
    `- command: \`${doc.command}\``,
    '',
    '## Side by side (median, ratio to the fastest)',
    '',
    renderMarkdown(summaryTable(doc.workloads, doc.rows, doc.configurations)),
    '',
    ...(doc.targets ?? []).flatMap((t) => [`## ${t.title}`, '', renderMarkdown(t.table), '']),
    ...(doc.invocations ? invocationsSection(doc.invocations) : []),
  ];
  for (const w of doc.workloads) {
    lines.push(`## ${w.title}`, '', renderMarkdown(detailTable(doc.rows.get(w.id) ?? [])), '');
  }
  return `${lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n')}\n`;
}
