import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpochRecord, FitEvent } from '@convkit/train/node';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../test/cli.js';
import { clockTime, RunClock, reachedLine, totalLine } from './timing.js';

afterEach(() => vi.restoreAllMocks());

const record = (epoch: number, validationTop1Error?: number): EpochRecord => ({
  epoch,
  lr: 0.1,
  trainLoss: 0.1,
  trainTop1Error: 0.02,
  ...(validationTop1Error === undefined ? {} : { validationLoss: 0.05, validationTop1Error }),
  seconds: 10,
  examplesPerSecond: 5000,
});
const start = (history: EpochRecord[] = []): FitEvent => ({
  type: 'trainStart',
  epochs: 4,
  batchesPerEpoch: 10,
  examples: 640,
  epoch: history.length,
  batch: 0,
  backend: 'cpu',
  history,
});
const end = (r: EpochRecord): FitEvent => ({ type: 'epochEnd', epochs: 4, record: r });

/** A clock whose time is whatever the test sets. */
function clockAt(target: number) {
  const time = { now: 0 };
  return { time, clock: new RunClock(target, () => time.now) };
}

describe('RunClock', () => {
  it('reports the first epoch at or under the target once, with the wall time then', () => {
    const { time, clock } = clockAt(0.01);
    clock.observe(start());
    const seen = [0.03, 0.01, 0.008, 0.012].map((error, epoch) => {
      time.now = 12.5 * (epoch + 1);
      return clock.observe(end(record(epoch, error)));
    });
    // ≤, not <: epoch 2's 1.00 % counts; later epochs, better or worse, do not report again.
    expect(seen).toEqual([undefined, { epoch: 2, validationTop1Error: 0.01, seconds: 25 }, undefined, undefined]);
    clock.observe({ type: 'trainEnd', reason: 'completed', history: [] });
    time.now = 61;
    expect(clock.timing()).toEqual({
      targetError: 0.01,
      reached: { epoch: 2, validationTop1Error: 0.01, seconds: 25 },
      best: { epoch: 3, validationTop1Error: 0.008 },
      trainingSeconds: 50,
      seconds: 61,
      resumed: false,
    });
    expect(totalLine(clock.timing())).toBe(
      'total wall time 61.0s (training 50.0s); validation error ≤ 1 % at 25.0s (epoch 2)',
    );
  });

  it('says when the target was never reached, and the best epoch', () => {
    const { time, clock } = clockAt(0.01);
    clock.observe(start());
    for (const [epoch, error] of [0.05, 0.0106, 0.011].entries()) clock.observe(end(record(epoch, error)));
    time.now = 130;
    expect(totalLine(clock.timing())).toBe(
      'total wall time 2m10s (training 2m10s); validation error never reached 1 % (best 1.06 % at epoch 2)',
    );
  });

  it('after a resume, an epoch of the saved history that reached the target is not timed again', () => {
    const { time, clock } = clockAt(0.02);
    clock.observe(start([record(0, 0.03), record(1, 0.015)]));
    time.now = 9;
    expect(clock.observe(end(record(2, 0.01)))).toBeUndefined();
    expect(totalLine(clock.timing())).toBe(
      'total wall time 9.0s since the resume (training 9.0s); validation error ≤ 2 % before the resume (epoch 2)',
    );
  });

  it('without a validation set there is nothing to time', () => {
    const { clock } = clockAt(0.01);
    clock.observe(start());
    expect(clock.observe(end(record(0)))).toBeUndefined();
    expect(totalLine(clock.timing())).toMatch(/no validation set, so no time to 1 % validation error$/);
  });

  it('formats times as the epoch lines do', () => {
    expect([0.04, 89.94, 90, 125.6, 119.7, 3599.7].map(clockTime)).toEqual([
      '0.0s',
      '89.9s',
      '1m30s',
      '2m06s',
      '2m00s',
      '60m00s',
    ]);
    expect(reachedLine({ epoch: 5, validationTop1Error: 0.0098, seconds: 75 }, 0.01)).toBe(
      'validation error ≤ 1 % first at epoch 5 (0.98 %): 75.0s after the start',
    );
  });
});

describe('convkit train prints when validation error first reaches the target, and the total', () => {
  const root = mkdtempSync(join(tmpdir(), 'convkit-timing-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('on an MNIST subset: the line names the first epoch that metrics.jsonl shows at or under the target', async () => {
    const dir = join(root, 'run');
    // A target that 2 epochs on 300 digits reach (the default 1 % needs the full data); 90 % is one right in ten.
    const config = join(root, 'config.json');
    writeFileSync(config, JSON.stringify({ targetError: 0.9 }));
    const flags = ['--limit', '300', '--epochs', '2', '--batch', '50', '--backend', 'wasm', '--config', config];
    const { code, out, err } = await cli('train', 'lenet5-modern', '--data', 'mnist', ...flags, '--out', dir);
    expect(code, err).toBe(0);
    const metrics: EpochRecord[] = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const first = metrics.findIndex((r) => (r.validationTop1Error as number) <= 0.9);
    expect(first, JSON.stringify(metrics)).toBeGreaterThanOrEqual(0);
    const lines = out.split('\n');
    const reached = lines.filter((l) => l.startsWith('validation error ≤ 90 % first at epoch'));
    const percent = (100 * (metrics[first]?.validationTop1Error as number)).toFixed(2);
    expect(reached).toHaveLength(1);
    expect(reached[0]).toMatch(
      new RegExp(`^validation error ≤ 90 % first at epoch ${first + 1} \\(${percent} %\\): [\\d.]+s after the start$`),
    );
    // Printed right after that epoch's line, before the next one.
    expect(lines[lines.indexOf(reached[0] as string) - 1]).toMatch(new RegExp(`^epoch ${first + 1}/2 `));
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^total wall time [\\d.ms]+ \\(training [\\d.ms]+\\); validation error ≤ 90 % at [\\d.ms]+ \\(epoch ${first + 1}\\)$`,
      ),
    );
    const timing = JSON.parse(readFileSync(join(dir, 'timing.json'), 'utf8'));
    expect(timing).toMatchObject({ targetError: 0.9, reached: { epoch: first + 1 }, resumed: false });
    expect(timing.reached.seconds).toBeLessThanOrEqual(timing.trainingSeconds);
    expect(timing.trainingSeconds).toBeLessThanOrEqual(timing.seconds);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('validation error ≤ 90 % at');
  }, 240_000);
});
