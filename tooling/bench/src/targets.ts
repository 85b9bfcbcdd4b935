import type { ConfigurationId } from './configurations.js';
import type { Row } from './report.js';
import { formatGflops, formatMs, type Table } from './table.js';
import type { Workload, WorkloadId } from './workloads.js';

/**
 * The native backend's targets (issue 9), each a ratio measured in the same
 * run: a time against a peer's time, or the 3×3 convolution's rate against
 * the fastest SGEMM rate any engine reached here.
 */
export interface Target {
  workload: WorkloadId;
  /** What the native row is compared with: a configuration's median time, or the run's best SGEMM GFLOP/s. */
  against: ConfigurationId | 'best-sgemm';
  /** `time`: native ms / reference ms must be ≤ goal; `rate`: native GFLOP/s / reference GFLOP/s must be ≥ goal. */
  kind: 'time' | 'rate';
  goal: number;
}

export const TARGETS: readonly Target[] = [
  { workload: 'lenet5', against: 'torch', kind: 'time', goal: 1.0 },
  { workload: 'conv3x3', against: 'best-sgemm', kind: 'rate', goal: 0.8 },
  { workload: 'alexnet', against: 'ort', kind: 'time', goal: 1.2 },
  { workload: 'vgg16', against: 'ort', kind: 'time', goal: 1.2 },
  { workload: 'mnist', against: 'torch', kind: 'time', goal: 1.0 },
];

type Rows = ReadonlyMap<WorkloadId, readonly Row[]>;

function rowOf(rows: Rows, workload: WorkloadId, configuration: ConfigurationId): Row | undefined {
  return rows.get(workload)?.find((r) => r.configuration.id === configuration && r.summary);
}

/** The fastest SGEMM of the run, and who reached it. */
function bestSgemm(rows: Rows): Row | undefined {
  return [...(rows.get('sgemm') ?? [])]
    .filter((r) => r.gflops !== undefined)
    .sort((a, b) => (b.gflops as number) - (a.gflops as number))[0];
}

/**
 * One line per target whose workload ran: the native figure, the reference,
 * the ratio, the goal and whether it is met ("—" when either side is missing).
 */
export function targetsTable(workloads: readonly Workload[], rows: Rows, native: ConfigurationId = 'native'): Table {
  const lines = TARGETS.flatMap((t) => {
    const workload = workloads.find((w) => w.id === t.workload);
    return workload && rows.has(t.workload) ? [{ t, title: workload.title }] : [];
  }).map(({ t, title }) => {
    const mine = rowOf(rows, t.workload, native);
    const reference = t.against === 'best-sgemm' ? bestSgemm(rows) : rowOf(rows, t.workload, t.against);
    const goal = t.kind === 'time' ? `≤ ${t.goal.toFixed(2)}×` : `≥ ${Math.round(t.goal * 100)} %`;
    if (!mine?.summary || !reference?.summary)
      return [title, mine?.summary ? describe(mine, t) : '—', '—', '—', goal, '—'];
    const ratio =
      t.kind === 'time'
        ? mine.summary.medianMs / reference.summary.medianMs
        : (mine.gflops as number) / (reference.gflops as number);
    const met = t.kind === 'time' ? ratio <= t.goal : ratio >= t.goal;
    const shown = t.kind === 'time' ? `${ratio.toFixed(2)}×` : `${Math.round(ratio * 100)} %`;
    return [title, describe(mine, t), describe(reference, t), shown, goal, met ? 'yes' : 'no'];
  });
  return {
    headers: ['workload', 'native', 'reference', 'ratio', 'goal', 'met'],
    align: ['left', 'right', 'right', 'right', 'left', 'left'],
    rows: lines,
  };
}

function describe(row: Row, target: Target): string {
  const who = row.configuration.label;
  if (target.kind === 'rate') return `${formatGflops(row.gflops as number)} GFLOP/s (${who})`;
  return `${formatMs((row.summary as NonNullable<Row['summary']>).medianMs)} ms (${who})`;
}
