import type { ConfigurationId } from './configurations.js';
import type { WorkloadId } from './workloads.js';

/**
 * What one (configuration, workload) cell came to. Only `ok` has numbers;
 * every other kind carries the reason that the table prints instead.
 */
export type Outcome =
  | {
      kind: 'ok';
      warmupMs: number[];
      samplesMs: number[];
      /** What ran, in words: engine, version, kernels, threads. */
      runtime: string;
    }
  | { kind: 'cannot-train'; reason: string }
  /** The configuration cannot run on this machine: a peer is missing, or there is no GPU for it. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; reason: string };

export interface Cell {
  configuration: ConfigurationId;
  workload: WorkloadId;
  outcome: Outcome;
}

/** A child process writes its outcome as one line with this prefix, so that library chatter on stdout is ignored. */
export const RESULT_PREFIX = '@@bench-result ';

/** Parses a child's stdout; undefined when it wrote no result line. */
export function parseResultLine(stdout: string): Outcome | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (line === undefined) return undefined;
  const value = JSON.parse(line.slice(RESULT_PREFIX.length)) as Outcome;
  if (!['ok', 'cannot-train', 'unavailable', 'skipped', 'failed'].includes(value.kind)) {
    throw new Error(`unknown outcome kind in ${line}`);
  }
  return value;
}

/** Writes the result line and exits once it is flushed (Dawn and wasm otherwise keep the process alive). */
export function reportAndExit(outcome: Outcome): void {
  process.stdout.write(`\n${RESULT_PREFIX}${JSON.stringify(outcome)}\n`, () => process.exit(0));
}
