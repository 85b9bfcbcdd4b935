/**
 * How long a workload is timed. Every engine follows the same policy (the
 * PyTorch script receives it as JSON and mirrors `measure.ts`), so a fast
 * kernel gets many runs and a 34-second VGG forward on stock tfjs cpu gets one.
 */
export interface TimingPolicy {
  /** Untimed runs first: compilation, allocation, caches. Stops early once they take half the budget. */
  warmupRuns: number;
  /**
   * ...and untimed runs until this much time has passed: V8 optimizes a
   * JavaScript function only after it has run for a while, so a fast tfjs step
   * reaches its steady speed after dozens of runs, not two (a LeNet-5 step on
   * the native backend: 30 ms at first, under 5 ms from about the 30th run).
   * Every engine gets the same warm-up.
   */
  warmupMinMs: number;
  /** Timed runs at least (the budget permitting)... */
  minRuns: number;
  /**
   * ...and more until this much time has passed: ten runs of a 2 ms step span
   * 20 ms, so one stall (a page fault storm, another process) moves their
   * median; two seconds of runs (hundreds of them) do not. Every engine gets the same.
   */
  sampleMinMs: number;
  /** Timed runs at most. */
  maxRuns: number;
  /** Timed runs stop before the next one would go past this many ms (there is always at least one). */
  budgetMs: number;
  /** A workload predicted (from AlexNet's rate on the same configuration) to take longer than this per run is skipped. */
  skipPredictedOverMs: number;
  /** A child process still running after this long is killed and its cell reported as over the limit. */
  childTimeoutMs: number;
}

export const FULL_POLICY: TimingPolicy = {
  warmupRuns: 2,
  warmupMinMs: 1_000,
  minRuns: 10,
  sampleMinMs: 2_000,
  maxRuns: 1_000,
  budgetMs: 20_000,
  skipPredictedOverMs: 90_000,
  childTimeoutMs: 600_000,
};

export const QUICK_POLICY: TimingPolicy = {
  warmupRuns: 1,
  warmupMinMs: 300,
  minRuns: 3,
  sampleMinMs: 0,
  maxRuns: 3,
  budgetMs: 3_000,
  skipPredictedOverMs: 40_000,
  childTimeoutMs: 180_000,
};
