import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FormatError } from '@convkit/io';
import { removeStaleTemporaries, writeFileAtomic } from '@convkit/io/node';
import type { EpochRecord, FitEvent } from '@convkit/train/node';
import type { TrainConfig } from './config.js';
import { UsageError } from './errors.js';

/**
 * A run folder: `config.json` (the effective configuration), `metrics.jsonl`
 * (one line per epoch), `checkpoints/` (`last`, `best`), pictures and
 * `report.html`.
 */
export interface RunFolder {
  dir: string;
  checkpoints: string;
  file(name: string): string;
  writeJson(name: string, value: unknown): Promise<void>;
  /**
   * Keeps `metrics.jsonl` equal to the checkpoint's history: on `trainStart`
   * it is rewritten from the (resumed) history and the temporary files of
   * killed writes are removed; an epoch's record is appended only once `last`
   * holds it, so a crash never leaves an epoch twice.
   */
  track(event: FitEvent): Promise<void>;
  /**
   * For `--resume`: true when there is a `last` checkpoint to continue from,
   * or when the run stopped before its first one (then it says so and starts
   * over). Refuses when `metrics.jsonl` shows finished epochs but `last` is gone.
   */
  resumable(log: (line: string) => void): boolean;
}

/** `runs/<model>-<yyyymmdd-hhmmss>` when `--out` is not given. */
export function defaultRunDir(model: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${model}-${stamp}`);
}

/** The nearest folder above `path` that exists: the one whose permissions decide whether `path` can be made. */
function existingAncestor(path: string): string {
  let at = dirname(path);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  return at;
}

function makeFolder(dir: string): void {
  try {
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const parent = existingAncestor(dir);
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? `${parent} is not writable by this user`
        : code === 'EROFS'
          ? `${parent} is on a read-only file system`
          : code === 'ENOTDIR'
            ? `a file stands where a folder is needed on the way (under ${parent})`
            : code === 'ENOSPC'
              ? 'the disk is full'
              : message;
    throw new UsageError(`cannot create the run folder ${dir}: ${why} (${code ?? message}). Choose another --out`);
  }
}

export function openRunFolder(dir: string): RunFolder {
  const absolute = resolve(dir);
  makeFolder(absolute);
  const checkpoints = join(absolute, 'checkpoints');
  const metrics = join(absolute, 'metrics.jsonl');
  const line = (record: object) => `${JSON.stringify(record)}\n`;
  // The epoch just finished, held until `last` (which holds it too) is on disk.
  let pending: EpochRecord | undefined;
  return {
    dir: absolute,
    checkpoints,
    file: (name) => join(absolute, name),
    writeJson: (name, value) => writeFileAtomic(join(absolute, name), `${JSON.stringify(value, null, 2)}\n`),
    async track(event) {
      if (event.type === 'trainStart') {
        pending = undefined;
        // Nothing else writes into the folder yet: whatever temporary file is here was left by a killed write.
        await removeStaleTemporaries(absolute);
        await removeStaleTemporaries(checkpoints);
        await writeFileAtomic(metrics, event.history.map(line).join(''));
      } else if (event.type === 'epochEnd') {
        pending = event.record;
      } else if (event.type === 'checkpoint' && event.name === 'last' && pending) {
        appendFileSync(metrics, line(pending));
        pending = undefined;
      }
    },
    resumable(log) {
      if (existsSync(join(checkpoints, 'last.safetensors'))) return true;
      const epochs = readMetrics(absolute).length;
      if (epochs > 0)
        throw new UsageError(
          `cannot resume ${dir}: ${join(checkpoints, 'last.safetensors')} is missing, but ${metrics} records ${epochs} finished epoch${epochs === 1 ? '' : 's'}; ` +
            'resuming would silently start over from epoch 1. Restore the checkpoint, or start a new run with another --out',
        );
      log(`${dir} has no checkpoint yet (the run stopped before its first one): starting from epoch 1`);
      return true;
    },
  };
}

/** Reads a run's JSON file; a torn or hand-broken one is a FormatError naming it. */
export function readRunJson(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormatError(path, 0, `not JSON (${(error as Error).message}); restore it from a copy or start a new run`);
  }
}

/** The configuration a run was started with (for `--resume`, `eval`, `viz`). */
export function readRunConfig(dir: string): TrainConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new UsageError(`${dir} is not a convkit run folder: ${path} is missing`);
  const config = readRunJson(path);
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new FormatError(path, 0, `a run's configuration is a JSON object, found ${JSON.stringify(config)}`);
  return config as TrainConfig;
}

/** The epochs recorded so far (`metrics.jsonl`); a torn last line (a kill mid-append) is ignored. */
export function readMetrics(dir: string): Record<string, number>[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const rows: Record<string, number>[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as Record<string, number>);
    } catch {
      // Only the last line can be torn; the checkpoint's history is the source of truth anyway.
    }
  }
  return rows;
}
