import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../src/checkpoint.js';

const child = fileURLToPath(new URL('./fixtures/train-child.mjs', import.meta.url));
const EPOCHS = 300;

/** Runs the training child; kills it with SIGKILL after `killAfterMs` when given. */
function runChild(
  dir: string,
  killAfterMs?: number,
  { epochs = EPOCHS, kill }: { epochs?: number; kill?: string } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const args = [child, dir, String(epochs), ...(kill ? [kill] : [])];
    const process = spawn('node', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    process.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    process.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    if (killAfterMs !== undefined) {
      // Time from the first checkpoint line, so that start-up time does not eat the window.
      let armed = false;
      process.stdout.on('data', () => {
        if (armed) return;
        armed = true;
        setTimeout(() => process.kill('SIGKILL'), killAfterMs);
      });
    }
    process.on('error', reject);
    process.on('close', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`child exited ${code}: ${err}`));
      else resolve({ code, signal, out });
    });
  });
}

function lastCheckpoint(dir: string, name = 'last') {
  const path = join(dir, `${name}.safetensors`);
  return existsSync(path) ? decodeCheckpoint(new Uint8Array(readFileSync(path)), path) : undefined;
}

describe('a training process killed at random points', () => {
  it('never leaves a corrupt checkpoint, always resumes, and ends where an unbroken run ends', async () => {
    const unbrokenDir = mkdtempSync(join(tmpdir(), 'convkit-unbroken-'));
    const unbroken = await runChild(unbrokenDir);
    expect(unbroken.out).toContain('"done":"completed"');

    const dir = mkdtempSync(join(tmpdir(), 'convkit-killed-'));
    let random = 12345;
    let previousEpoch = 0;
    let kills = 0;
    for (let i = 0; i < 10; i++) {
      random = (Math.imul(random, 1664525) + 1013904223) >>> 0;
      const run = await runChild(dir, 5 + (random % 300));
      if (run.signal === 'SIGKILL') kills++;
      const checkpoint = lastCheckpoint(dir); // decoding validates every byte range: a torn file would throw here
      const epoch = checkpoint?.progress.epoch ?? 0;
      expect(epoch).toBeGreaterThanOrEqual(previousEpoch);
      previousEpoch = epoch;
    }
    expect(kills).toBeGreaterThanOrEqual(8);
    expect(previousEpoch).toBeLessThan(EPOCHS);
    const finished = await runChild(dir);
    expect(finished.out).toContain('"done":"completed"');

    const a = lastCheckpoint(unbrokenDir);
    const b = lastCheckpoint(dir);
    expect(b?.progress.step).toBe(a?.progress.step);
    expect([...(b?.weights.keys() ?? [])]).toEqual([...(a?.weights.keys() ?? [])]);
    for (const [name, saved] of a?.weights ?? [])
      expect(Array.from(b?.weights.get(name)?.data ?? []), name).toEqual(Array.from(saved.data));
    // Temporary files of killed writes are cleaned up by the next save.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 180_000);

  it('killed while writing best (or last), the resumed run ends with the best and last of an unbroken run', async () => {
    const epochs = 6;
    const unbrokenDir = mkdtempSync(join(tmpdir(), 'convkit-unbroken-best-'));
    // The kill argument turns validation on; a save count that is never reached kills nothing.
    const whole = await runChild(unbrokenDir, undefined, { epochs, kill: 'best:1000' });
    expect(whole.out).toContain('"done":"completed"');
    const unbroken = { best: lastCheckpoint(unbrokenDir, 'best'), last: lastCheckpoint(unbrokenDir) };
    // Killed during the run's final save of best, nothing later could rewrite a stale best.
    const bests = whole.out.split('\n').filter((l) => l.includes('"name":"best"')).length;
    expect(bests).toBeGreaterThan(1);
    for (const kill of [`best:${bests}`, 'last:3']) {
      const dir = mkdtempSync(join(tmpdir(), 'convkit-killed-best-'));
      const killed = await runChild(dir, undefined, { epochs, kill });
      expect(killed.signal, kill).toBe('SIGKILL');
      expect(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        kill,
      ).toHaveLength(1);
      expect((await runChild(dir, undefined, { epochs, kill: 'best:1000' })).out).toContain('"done":"completed"');
      for (const name of ['best', 'last'] as const) {
        const a = unbroken[name];
        const b = lastCheckpoint(dir, name);
        expect(b?.progress.epoch, `${kill}: ${name}`).toBe(a?.progress.epoch);
        for (const [weight, saved] of a?.weights ?? [])
          expect(Array.from(b?.weights.get(weight)?.data ?? []), `${kill}: ${name} ${weight}`).toEqual(
            Array.from(saved.data),
          );
      }
      expect(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        kill,
      ).toEqual([]);
    }
  }, 120_000);
});
