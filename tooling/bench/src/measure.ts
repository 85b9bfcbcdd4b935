import type { TimingPolicy } from './policy.js';

/** What one workload's timing loop saw: untimed warm-up runs and timed samples, in ms. */
export interface Timing {
  warmupMs: number[];
  samplesMs: number[];
}

/**
 * Warm-up (at least `warmupRuns` runs and `warmupMinMs`, at most half the
 * budget), then timed runs: at least `minRuns` (default `maxRuns`) and
 * `sampleMinMs`, at most `maxRuns`, and none that would go past the budget
 * (judged by the last run's time). `torch_bench.py` mirrors
 * this loop line for line; keep them in step.
 */
export async function measure(
  run: () => Promise<void> | void,
  policy: Pick<TimingPolicy, 'warmupRuns' | 'maxRuns' | 'budgetMs'> &
    Partial<Pick<TimingPolicy, 'warmupMinMs' | 'minRuns' | 'sampleMinMs'>>,
  now: () => number = () => performance.now(),
): Promise<Timing> {
  const warmupMs: number[] = [];
  let warmupTotal = 0;
  const warm = () => warmupMs.length >= Math.max(1, policy.warmupRuns) && warmupTotal >= (policy.warmupMinMs ?? 0);
  while (!warm() && (warmupMs.length === 0 || warmupTotal < policy.budgetMs / 2)) {
    const t = await timeOnce(run, now);
    warmupMs.push(t);
    warmupTotal += t;
  }
  const samplesMs: number[] = [];
  let elapsed = 0;
  for (;;) {
    const last = samplesMs.at(-1);
    if (samplesMs.length >= policy.maxRuns) break;
    if (samplesMs.length >= (policy.minRuns ?? policy.maxRuns) && elapsed >= (policy.sampleMinMs ?? 0)) break;
    if (last !== undefined && elapsed + last > policy.budgetMs) break;
    const t = await timeOnce(run, now);
    samplesMs.push(t);
    elapsed += t;
  }
  return { warmupMs, samplesMs };
}

async function timeOnce(run: () => Promise<void> | void, now: () => number): Promise<number> {
  const start = now();
  await run();
  return now() - start;
}
