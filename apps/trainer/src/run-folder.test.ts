import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError } from '@convkit/io';
import type { EpochRecord, FitEvent } from '@convkit/train/node';
import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { openRunFolder, readMetrics, readRunConfig } from './run-folder.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'convkit-run-'));
const record = (epoch: number): EpochRecord => ({
  epoch,
  lr: 0.01,
  trainLoss: 1 / (epoch + 1),
  trainTop1Error: 0.5,
  seconds: 1,
  examplesPerSecond: 100,
});
const start = (history: EpochRecord[]): FitEvent => ({
  type: 'trainStart',
  epochs: 5,
  batchesPerEpoch: 3,
  examples: 30,
  epoch: history.length,
  batch: 0,
  backend: 'cpu',
  history,
});
const end = (epoch: number): FitEvent => ({ type: 'epochEnd', epochs: 5, record: record(epoch) });
const saved = (name: string, epoch: number, batch = 0): FitEvent => ({
  type: 'checkpoint',
  name,
  location: name,
  epoch,
  batch,
});
const epochsIn = (dir: string) => readMetrics(dir).map((r) => r.epoch);

describe('the run folder after crashes', () => {
  it('appends an epoch only once last holds it, and a resume rewrites metrics.jsonl from the checkpoint', async () => {
    const dir = scratch();
    const run = openRunFolder(dir);
    for (const e of [start([]), end(0), saved('best', 1)]) await run.track(e);
    // Killed here, after best and before last: the epoch is not in metrics.jsonl, as it is not in last.
    expect(epochsIn(dir)).toEqual([]);
    for (const e of [saved('last', 1), end(1), saved('best', 2), saved('last', 2), end(2)]) await run.track(e);
    // Killed after epochEnd, before last was saved; what the old trainer left: epoch 2 appended twice.
    writeFileSync(join(dir, 'metrics.jsonl'), [0, 1, 2, 2].map((e) => JSON.stringify(record(e))).join('\n'));
    const resumed = openRunFolder(dir);
    for (const e of [start([record(0), record(1)]), end(2), saved('last', 3, 0)]) await resumed.track(e);
    expect(epochsIn(dir)).toEqual([0, 1, 2]);
    // An abort mid-epoch saves last with batch > 0 and adds no epoch.
    await resumed.track(saved('last', 3, 2));
    expect(epochsIn(dir)).toEqual([0, 1, 2]);
  });

  it('a resume removes the temporary files of every killed atomic write, anywhere in the run folder', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'checkpoints'), { recursive: true });
    const stale = [
      '.config.json.0123456789ab.tmp',
      '.filters.png.a1b2c3d4e5f6.tmp',
      '.evaluation.json.00aa11bb22cc.tmp',
      '.report.html.ffeeddccbbaa.tmp',
      'checkpoints/.last.safetensors.0a1b2c3d4e5f.tmp',
      'checkpoints/.best.safetensors.99887766aabb.tmp',
    ];
    for (const f of stale) writeFileSync(join(dir, f), 'torn');
    writeFileSync(join(dir, 'config.json'), '{}');
    const run = openRunFolder(dir);
    await run.track(start([record(0)]));
    expect(readdirSync(dir).sort()).toEqual(['checkpoints', 'config.json', 'metrics.jsonl']);
    expect(readdirSync(join(dir, 'checkpoints'))).toEqual([]);
    expect(epochsIn(dir)).toEqual([0]);
  });

  it('--resume refuses a run whose last checkpoint is gone but whose metrics show epochs; one that never got one starts over, saying so', async () => {
    const dir = scratch();
    const run = openRunFolder(dir);
    const lines: string[] = [];
    expect(run.resumable((l) => void lines.push(l))).toBe(true);
    expect(lines.join()).toMatch(
      /has no checkpoint yet \(the run stopped before its first one\): starting from epoch 1/,
    );
    writeFileSync(join(dir, 'metrics.jsonl'), `${JSON.stringify(record(0))}\n${JSON.stringify(record(1))}\n`);
    expect(() => run.resumable(() => undefined)).toThrow(UsageError);
    expect(() => run.resumable(() => undefined)).toThrow(
      /cannot resume .*checkpoints\/last\.safetensors is missing, but .*metrics\.jsonl records 2 finished epochs/,
    );
    writeFileSync(join(dir, 'checkpoints', 'last.safetensors'), 'x');
    expect(run.resumable(() => undefined)).toBe(true);
  });
});

describe('the run folder refuses clearly', () => {
  it('a garbled config.json is a FormatError naming the file', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'config.json'), '{"model": "lenet5", "epo');
    expect(() => readRunConfig(dir)).toThrow(FormatError);
    expect(() => readRunConfig(dir)).toThrow(/config\.json at byte 0: not JSON \(/);
    writeFileSync(join(dir, 'config.json'), '[1]');
    expect(() => readRunConfig(dir)).toThrow(
      /config\.json at byte 0: a run's configuration is a JSON object, found \[1\]/,
    );
  });

  it('an --out that cannot be created names the folder and why', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), 'x');
    const out = join(dir, 'file', 'run');
    expect(() => openRunFolder(out)).toThrow(UsageError);
    expect(() => openRunFolder(out)).toThrow(
      `cannot create the run folder ${out}: a file stands where a folder is needed on the way (under ${join(dir, 'file')}) (ENOTDIR). Choose another --out`,
    );
    expect(existsSync(join(dir, 'file', 'run'))).toBe(false);
    expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('x');
  });

  it.skipIf(process.getuid?.() === 0)(
    'a read-only parent is named (root ignores permissions, so this runs as a user)',
    async () => {
      const { chmodSync } = await import('node:fs');
      const parent = scratch();
      chmodSync(parent, 0o555);
      const out = join(parent, 'a', 'run');
      expect(() => openRunFolder(out)).toThrow(
        `cannot create the run folder ${out}: ${parent} is not writable by this user (EACCES). Choose another --out`,
      );
    },
  );
});
