import type { EpochRecord, FitEvent } from '@convkit/train/node';

/** The validation error the trainer times by default: 1 %, where LeNet-5 on MNIST counts as solved. */
export const DEFAULT_TARGET_ERROR = 0.01;

/** The first epoch whose validation error reached the target. */
export interface TargetReached {
  /** 1-based, as the epoch lines count. */
  epoch: number;
  validationTop1Error: number;
  /** Wall seconds from the start of the command; null when it was reached before a resume. */
  seconds: number | null;
}

/** What a run's `timing.json` holds, and what the report and the last line show. */
export interface RunTiming {
  targetError: number;
  /** null when no epoch reached the target. */
  reached: TargetReached | null;
  /** The lowest validation error of the run and its (1-based) epoch; null without validation. */
  best: { epoch: number; validationTop1Error: number } | null;
  /** Wall seconds from the start of the command to the end of training. */
  trainingSeconds: number;
  /** Wall seconds from the start of the command to now (the test evaluation and pictures included). */
  seconds: number;
  /** True when this command continued a run: the times count from the resume. */
  resumed: boolean;
}

/** `125.6` → `2m06s`; under 90 s with a tenth (`72.4s`). */
export function clockTime(s: number): string {
  if (s < 90) return `${s.toFixed(1)}s`;
  // Rounded once, so 119.7 s reads 2m00s and not 1m60s.
  const whole = Math.round(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
}

const percent = (x: number) => `${(100 * x).toFixed(2)} %`;

/**
 * Watches `fit`'s events for the first epoch whose validation error is at
 * most `target`, and times the command by the wall clock: how soon a run is
 * good enough matters to a user more than how long all its epochs take.
 * `now` is in seconds; the default counts from the process's start, so the
 * time includes loading the data and starting the backend.
 */
export class RunClock {
  private reachedAt: TargetReached | null = null;
  private best: RunTiming['best'] = null;
  private trainingEnd: number | undefined;
  private resumed = false;

  constructor(
    readonly target = DEFAULT_TARGET_ERROR,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  /** Follows one event; returns the target's record the first time an epoch reaches it. */
  observe(event: FitEvent): TargetReached | undefined {
    if (event.type === 'trainStart') {
      this.resumed = event.history.length > 0 || event.batch > 0;
      for (const record of event.history) this.record(record, null);
    }
    if (event.type === 'epochEnd') return this.record(event.record, this.now());
    if (event.type === 'trainEnd') this.trainingEnd = this.now();
    return undefined;
  }

  private record(record: EpochRecord, seconds: number | null): TargetReached | undefined {
    const error = record.validationTop1Error;
    if (error === undefined) return undefined;
    if (!this.best || error < this.best.validationTop1Error)
      this.best = { epoch: record.epoch + 1, validationTop1Error: error };
    if (this.reachedAt || error > this.target) return undefined;
    this.reachedAt = { epoch: record.epoch + 1, validationTop1Error: error, seconds };
    return seconds === null ? undefined : this.reachedAt;
  }

  /** The run's timing so far. */
  timing(): RunTiming {
    const now = this.now();
    return {
      targetError: this.target,
      reached: this.reachedAt,
      best: this.best,
      trainingSeconds: this.trainingEnd ?? now,
      seconds: now,
      resumed: this.resumed,
    };
  }
}

/** The line printed when the target is first reached. */
export function reachedLine(reached: TargetReached, target: number): string {
  const at = reached.seconds === null ? 'before the resume' : `${clockTime(reached.seconds)} after the start`;
  return `validation error ≤ ${percent(target).replace('.00 ', ' ')} first at epoch ${reached.epoch} (${percent(reached.validationTop1Error)}): ${at}`;
}

/** The last line of a run: the total wall time and when (or whether) validation error reached the target. */
export function totalLine(t: RunTiming): string {
  const target = percent(t.targetError).replace('.00 ', ' ');
  const since = t.resumed ? ' since the resume' : '';
  const head = `total wall time ${clockTime(t.seconds)}${since} (training ${clockTime(t.trainingSeconds)})`;
  if (t.reached) {
    const at = t.reached.seconds === null ? 'before the resume' : `at ${clockTime(t.reached.seconds)}`;
    return `${head}; validation error ≤ ${target} ${at} (epoch ${t.reached.epoch})`;
  }
  if (!t.best) return `${head}; no validation set, so no time to ${target} validation error`;
  return `${head}; validation error never reached ${target} (best ${percent(t.best.validationTop1Error)} at epoch ${t.best.epoch})`;
}
