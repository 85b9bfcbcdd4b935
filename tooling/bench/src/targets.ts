import type { ConfigurationId } from './configurations.js';
import { type Row, shortReason } from './report.js';
import { formatGflops, formatMs, type Table } from './table.js';
import type { Workload, WorkloadId } from './workloads.js';

/**
 * One of a backend's targets, a ratio measured in the same run: a time
 * against another configuration's time, or the 3×3 convolution's rate
 * against the fastest SGEMM rate any engine reached here.
 */
export interface Target {
  workload: WorkloadId;
  /** The configuration measured, where it is not the set's subject (wasm-2t against native in issue 17's set). */
  subject?: ConfigurationId;
  /** What the subject's row is compared with: a configuration's median time, or the run's best SGEMM GFLOP/s. */
  against: ConfigurationId | 'best-sgemm';
  /** `time`: subject ms / reference ms; `rate`: subject GFLOP/s / reference GFLOP/s. */
  kind: 'time' | 'rate';
  /** `time`: the ratio must be ≤ goal; `rate`: ≥ goal. None: the ratio is reported, nothing is judged. */
  goal?: number;
}

/** The targets an issue set for one configuration, printed as one table. */
export interface TargetSet {
  /** The heading the table is printed under. */
  title: string;
  /** The configuration measured against the references. */
  subject: ConfigurationId;
  /** Column headers of the subject's figures, the reference's, and their ratio. */
  columns: [subject: string, reference: string, ratio: string];
  targets: readonly Target[];
  /** What a side's cell says where its configuration cannot run on this machine (default "unavailable"). */
  unavailable?: Partial<Record<ConfigurationId, string>>;
}

/** Issue 9: the native backend against PyTorch CPU, onnxruntime-node and the best SGEMM of the run. */
export const NATIVE_TARGETS: TargetSet = {
  title: 'Native backend targets (issue 9)',
  subject: 'native',
  columns: ['native', 'reference', 'ratio'],
  targets: [
    { workload: 'lenet5', against: 'torch', kind: 'time', goal: 1.0 },
    { workload: 'conv3x3', against: 'best-sgemm', kind: 'rate', goal: 0.8 },
    { workload: 'alexnet', against: 'ort', kind: 'time', goal: 1.2 },
    { workload: 'vgg16', against: 'ort', kind: 'time', goal: 1.2 },
    { workload: 'mnist', against: 'torch', kind: 'time', goal: 1.0 },
  ],
};

/** Issue 10: the cuda backend against PyTorch CUDA on the same GPU; the issue sets no threshold, so ratios only. */
export const CUDA_TARGETS: TargetSet = {
  title: 'CUDA backend against PyTorch CUDA (issue 10)',
  subject: 'cuda',
  columns: ['convkit cuda', 'PyTorch CUDA', 'convkit / PyTorch'],
  targets: [
    { workload: 'lenet5', against: 'torch-cuda', kind: 'time' },
    { workload: 'alexnet-train', against: 'torch-cuda', kind: 'time' },
    { workload: 'vgg16', against: 'torch-cuda', kind: 'time' },
  ],
  unavailable: { cuda: 'no GPU here', 'torch-cuda': 'PyTorch CUDA unavailable' },
};

/**
 * Issue 17 (filed as issue 21): AlexNet training at PyTorch speed, less
 * dispatch per small step, and wasm on 2 threads within 3× native.
 */
export const ISSUE17_TARGETS: TargetSet = {
  title: 'Issue 17 targets',
  subject: 'native',
  columns: ['convkit', 'reference', 'ratio'],
  targets: [
    { workload: 'alexnet-train', against: 'torch', kind: 'time', goal: 1.0 },
    { workload: 'lenet5', against: 'torch', kind: 'time', goal: 0.6 },
    { workload: 'lenet5', subject: 'wasm-2t', against: 'native', kind: 'time', goal: 3.0 },
    { workload: 'mnist', against: 'torch', kind: 'time', goal: 0.8 },
  ],
};

export const TARGET_SETS: readonly TargetSet[] = [NATIVE_TARGETS, ISSUE17_TARGETS, CUDA_TARGETS];

type Rows = ReadonlyMap<WorkloadId, readonly Row[]>;

function rowOf(rows: Rows, workload: WorkloadId, configuration: ConfigurationId): Row | undefined {
  return rows.get(workload)?.find((r) => r.configuration.id === configuration);
}

/** The fastest SGEMM of the run, and who reached it. */
function bestSgemm(rows: Rows): Row | undefined {
  return [...(rows.get('sgemm') ?? [])]
    .filter((r) => r.gflops !== undefined)
    .sort((a, b) => (b.gflops as number) - (a.gflops as number))[0];
}

/**
 * One line per target whose workload ran: the subject's figure, the
 * reference's, the ratio, the goal ("report" where the issue set none) and,
 * when the set has goals, whether each is met. A side without a number says
 * why (its configuration unavailable here, failed, skipped) or "—" when it
 * was not run; the ratio is then "—".
 */
export function targetsTable(workloads: readonly Workload[], rows: Rows, set: TargetSet = NATIVE_TARGETS): Table {
  const judged = set.targets.some((t) => t.goal !== undefined);
  const side = (row: Row | undefined, t: Target): string => {
    if (row?.summary) return describe(row, t);
    if (!row) return '—';
    if (row.outcome.kind === 'unavailable') return set.unavailable?.[row.configuration.id] ?? 'unavailable';
    return shortReason(row.outcome) || '—';
  };
  const lines = set.targets
    .flatMap((t) => {
      const workload = workloads.find((w) => w.id === t.workload);
      return workload && rows.has(t.workload) ? [{ t, title: workload.title }] : [];
    })
    .map(({ t, title }) => {
      const mine = rowOf(rows, t.workload, t.subject ?? set.subject);
      const reference = t.against === 'best-sgemm' ? bestSgemm(rows) : rowOf(rows, t.workload, t.against);
      const goal =
        t.goal === undefined
          ? 'report'
          : t.kind === 'time'
            ? `≤ ${t.goal.toFixed(2)}×`
            : `≥ ${Math.round(t.goal * 100)} %`;
      const figures = [title, side(mine, t), side(reference, t)];
      if (!mine?.summary || !reference?.summary) return [...figures, '—', goal, ...(judged ? ['—'] : [])];
      const ratio =
        t.kind === 'time'
          ? mine.summary.medianMs / reference.summary.medianMs
          : (mine.gflops as number) / (reference.gflops as number);
      const shown = t.kind === 'time' ? `${ratio.toFixed(2)}×` : `${Math.round(ratio * 100)} %`;
      if (!judged) return [...figures, shown, goal];
      const met = t.goal === undefined ? '—' : (t.kind === 'time' ? ratio <= t.goal : ratio >= t.goal) ? 'yes' : 'no';
      return [...figures, shown, goal, met];
    });
  return {
    headers: ['workload', ...set.columns, 'goal', ...(judged ? ['met'] : [])],
    align: ['left', 'right', 'right', 'right', 'left', ...(judged ? (['left'] as const) : [])],
    rows: lines,
  };
}

function describe(row: Row, target: Target): string {
  const who = row.configuration.label;
  if (target.kind === 'rate') return `${formatGflops(row.gflops as number)} GFLOP/s (${who})`;
  return `${formatMs((row.summary as NonNullable<Row['summary']>).medianMs)} ms (${who})`;
}
