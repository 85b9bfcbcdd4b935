import type { Configuration, Requirement } from './configurations.js';
import { workloadMacs } from './cost.js';
import type { Cell, Outcome } from './outcome.js';
import type { PeerStatus } from './peers/onnxruntime.js';
import type { TimingPolicy } from './policy.js';
import { predictMs, summarize } from './stats.js';
import { WORKLOADS, type Workload } from './workloads.js';

/**
 * Decides, before starting a child process, whether a cell can be known
 * without running it: a peer or a GPU that is missing (`found`: what the
 * bench found for each configuration's requirement), an engine that cannot
 * train, or a workload predicted to take longer than the policy allows.
 * Returns undefined when the cell should run.
 */
export function outcomeWithoutRunning(
  configuration: Configuration,
  workload: Workload,
  found: ReadonlyMap<Requirement, PeerStatus>,
  done: readonly Cell[],
  policy: TimingPolicy,
): Outcome | undefined {
  const need = configuration.requires === undefined ? undefined : found.get(configuration.requires);
  if (need && !need.available) return { kind: 'unavailable', reason: need.reason };
  if (configuration.engine === 'ort' && workload.mode !== 'forward') {
    return { kind: 'cannot-train', reason: 'onnxruntime-node runs inference only' };
  }
  const predicted = predictedMs(configuration, workload, done);
  if (predicted !== undefined && predicted > policy.skipPredictedOverMs) {
    const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
    return {
      kind: 'skipped',
      reason: `too slow here: ~${seconds(predicted)} per run predicted from ${workload.predictFrom}'s rate (limit ${seconds(policy.skipPredictedOverMs)} per run)`,
    };
  }
  return undefined;
}

/** Time per run of `workload`, scaled by MACs from its `predictFrom` workload's median on the same configuration. */
function predictedMs(configuration: Configuration, workload: Workload, done: readonly Cell[]): number | undefined {
  const from = WORKLOADS.find((w) => w.id === workload.predictFrom);
  const cell = done.find((c) => c.configuration === configuration.id && c.workload === from?.id);
  if (!from || cell?.outcome.kind !== 'ok' || cell.outcome.samplesMs.length === 0) return undefined;
  return predictMs(summarize(cell.outcome.samplesMs).medianMs, workloadMacs(from), workloadMacs(workload));
}
