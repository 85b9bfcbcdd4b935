/** Median, minimum and maximum of timed runs, in ms. */
export interface Summary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

export function summarize(samplesMs: readonly number[]): Summary {
  if (samplesMs.length === 0) throw new Error('summarize needs at least one sample');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    medianMs: median,
    minMs: sorted[0] as number,
    maxMs: sorted[sorted.length - 1] as number,
    runs: sorted.length,
  };
}

/** GFLOP/s of a run of `macs` multiply-adds (2 FLOPs each) taking `ms`. */
export function gflops(macs: number, ms: number): number {
  return (2 * macs) / (ms * 1e6);
}

/** Each time divided by the smallest (the fastest is 1); undefined entries stay undefined. */
export function ratiosToFastest(times: readonly (number | undefined)[]): (number | undefined)[] {
  const present = times.filter((t): t is number => t !== undefined);
  if (present.length === 0) return times.map(() => undefined);
  const fastest = Math.min(...present);
  return times.map((t) => (t === undefined ? undefined : t / fastest));
}

/** Expected time of a workload from another workload's measured rate on the same configuration. */
export function predictMs(knownMs: number, knownMacs: number, targetMacs: number): number {
  return (knownMs * targetMacs) / knownMacs;
}
