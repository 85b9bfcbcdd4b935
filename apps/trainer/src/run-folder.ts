import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '@convkit/io/node';
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
  appendMetrics(record: object): void;
}

/** `runs/<model>-<yyyymmdd-hhmmss>` when `--out` is not given. */
export function defaultRunDir(model: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return join('runs', `${model}-${stamp}`);
}

export function openRunFolder(dir: string): RunFolder {
  const absolute = resolve(dir);
  mkdirSync(join(absolute, 'checkpoints'), { recursive: true });
  return {
    dir: absolute,
    checkpoints: join(absolute, 'checkpoints'),
    file: (name) => join(absolute, name),
    writeJson: (name, value) => writeFileAtomic(join(absolute, name), `${JSON.stringify(value, null, 2)}\n`),
    appendMetrics: (record) => appendFileSync(join(absolute, 'metrics.jsonl'), `${JSON.stringify(record)}\n`),
  };
}

/** The configuration a run was started with (for `--resume`, `eval`, `viz`). */
export function readRunConfig(dir: string): TrainConfig {
  const path = join(dir, 'config.json');
  if (!existsSync(path)) throw new UsageError(`${dir} is not a convkit run folder: ${path} is missing`);
  return JSON.parse(readFileSync(path, 'utf8')) as TrainConfig;
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
