import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { FormatError } from '@convkit/io';
import { FileWriteError, otherProcessAlive, removeStaleTemporaries, writeFileAtomic } from '@convkit/io/node';
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
  /** Writes each `name → value` as JSON, atomically one by one. */
  writeJsonFiles(files: Record<string, unknown>): Promise<void>;
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

/**
 * Claims a run folder for one training process: `.train.lock` holds its pid.
 * A second `convkit train --resume` of the same folder while the first runs
 * would interleave two runs' checkpoints; a lock left by a killed process is
 * taken over. Returns the release.
 */
export function lockRun(dir: string): () => void {
  const path = join(dir, '.train.lock');
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    if (Number.isInteger(pid) && otherProcessAlive(pid))
      throw new UsageError(
        `${dir} is being trained by process ${pid} (${path}): wait for it to finish, or stop it first`,
      );
    writeFileSync(path, `${process.pid}\n`);
  }
  return () => rmSync(path, { force: true });
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
  const writeJson = (name: string, value: unknown) =>
    writeFileAtomic(join(absolute, name), `${JSON.stringify(value, null, 2)}\n`);
  return {
    dir: absolute,
    checkpoints,
    file: (name) => join(absolute, name),
    writeJson,
    async writeJsonFiles(files) {
      for (const [name, value] of Object.entries(files)) await writeJson(name, value);
    },
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
        try {
          appendFileSync(metrics, line(pending));
        } catch (error) {
          // A torn line is ignored when read, and the next start rewrites the file from the checkpoint's history.
          throw new FileWriteError(metrics, error, true);
        }
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

/**
 * The epochs recorded so far (`metrics.jsonl`, one `fit` EpochRecord per
 * line, the same fields since the first release, so every run folder reads
 * back); a torn last line (a kill mid-append) is ignored.
 */
export function readMetrics(dir: string): EpochRecord[] {
  const path = join(dir, 'metrics.jsonl');
  if (!existsSync(path)) return [];
  const rows: EpochRecord[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      rows.push(JSON.parse(line) as EpochRecord);
    } catch {
      // Only the last line can be torn; the checkpoint's history is the source of truth anyway.
    }
  }
  return rows;
}
