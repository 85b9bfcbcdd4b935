import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { FormatError } from '@convkit/io';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CheckpointStore, decodeCheckpoint, encodeCheckpoint, memoryStore } from '../src/checkpoint.js';
import { TrainingError } from '../src/errors.js';
import type { FitEvent } from '../src/events.js';
import { type FitOptions, fit } from '../src/fit.js';
import { directoryStore } from '../src/node.js';
import { halves, smallCnn } from './toy.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const base = {
  train: halves(48, 1),
  validation: halves(16, 2),
  epochs: 3,
  batchSize: 16,
  lr: 0.05,
  seed: 3,
} satisfies Partial<FitOptions>;

class Killed extends Error {}

/**
 * A store that dies during its `n`-th save, as a SIGKILL mid-write leaves the
 * folder: a torn temporary file beside the untouched previous checkpoint.
 */
function dyingAt(dir: string, n: number): CheckpointStore & { saves: string[] } {
  const store = directoryStore(dir);
  const saves: string[] = [];
  return {
    ...store,
    saves,
    async save(name, bytes) {
      saves.push(name);
      if (saves.length === n) {
        writeFileSync(join(dir, `.${name}.safetensors.0123456789ab.tmp`), bytes.subarray(0, bytes.length >> 1));
        throw new Killed(`killed while writing ${name}`);
      }
      await store.save(name, bytes);
    },
  };
}

const weightsOf = (bytes: Uint8Array | undefined) =>
  Object.fromEntries([...decodeCheckpoint(bytes as Uint8Array).weights].map(([n, w]) => [n, Array.from(w.data)]));

describe('a run killed during any checkpoint write', () => {
  it('resumes to the same best and last as an unbroken run, with no temporary file left', async () => {
    const unbrokenDir = mkdtempSync(join(tmpdir(), 'convkit-unbroken-'));
    const unbroken = directoryStore(unbrokenDir);
    const counting = dyingAt(unbrokenDir, Number.POSITIVE_INFINITY);
    const model = smallCnn();
    await fit(model, { ...base, checkpoints: { store: counting } });
    model.dispose();
    // Every epoch improves here, so each writes best and last: the kills below hit each of them.
    expect([...counting.saves].sort()).toEqual(['best', 'best', 'best', 'last', 'last', 'last']);

    for (let n = 1; n <= counting.saves.length; n++) {
      const dir = mkdtempSync(join(tmpdir(), `convkit-kill-${n}-`));
      const first = smallCnn();
      await expect(fit(first, { ...base, checkpoints: { store: dyingAt(dir, n) } })).rejects.toBeInstanceOf(Killed);
      first.dispose();
      const second = smallCnn();
      const resumed = await fit(second, { ...base, checkpoints: { store: directoryStore(dir) }, resume: true });
      second.dispose();
      expect(resumed.reason).toBe('completed');
      const store = directoryStore(dir);
      for (const name of ['best', 'last'])
        expect(weightsOf(await store.load(name)), `killed during save ${n}, ${name}`).toEqual(
          weightsOf(await unbroken.load(name)),
        );
      expect(
        readdirSync(dir).filter((f) => f.endsWith('.tmp')),
        `killed during save ${n}`,
      ).toEqual([]);
    }
  }, 120_000);

  it('a resume rewrites a best that is older than the epoch last says it holds', async () => {
    const store = memoryStore();
    const model = smallCnn();
    let afterFirst: Uint8Array | undefined;
    await fit(model, {
      ...base,
      epochs: 2,
      checkpoints: { store },
      onEvent: (e) => {
        if (e.type === 'checkpoint' && e.name === 'last' && e.epoch === 1) afterFirst = store.files.get('best');
      },
    });
    model.dispose();
    const whole = store.files.get('best') as Uint8Array;
    expect(decodeCheckpoint(whole).progress.epoch).toBe(2);
    // What the old order (last, then best) left after a kill during best: best one epoch behind.
    store.files.set('best', afterFirst as Uint8Array);
    const events: FitEvent[] = [];
    await fit(smallCnn(), {
      ...base,
      epochs: 2,
      checkpoints: { store },
      resume: true,
      onEvent: (e) => void events.push(e),
    });
    expect(store.files.get('best')).toEqual(store.files.get('last'));
    expect(weightsOf(store.files.get('best'))).toEqual(weightsOf(whole));
    expect(events.find((e) => e.type === 'checkpoint')).toMatchObject({ name: 'best', epoch: 2 });
  });
});

describe('resume trusts nothing it reads back', () => {
  it('refuses when last is missing but best shows the run trained; starts over when there is nothing', async () => {
    const store = memoryStore();
    const model = smallCnn();
    await fit(model, { ...base, epochs: 2, checkpoints: { store } });
    store.files.delete('last');
    const error = await fit(smallCnn(), { ...base, checkpoints: { store }, resume: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toMatch(
      /cannot resume: memory:last is missing, but memory:best shows that this run trained 2 epochs.*start over from epoch 1/,
    );
    const fresh = await fit(smallCnn(), { ...base, epochs: 1, checkpoints: { store: memoryStore() }, resume: true });
    expect(fresh.history).toHaveLength(1);
    model.dispose();
  });

  it('missing or misshapen optimizer slots are a FormatError naming the checkpoint', async () => {
    const store = memoryStore();
    const model = smallCnn();
    await fit(model, { ...base, epochs: 1, checkpoints: { store } });
    const saved = decodeCheckpoint(store.files.get('last') as Uint8Array);
    const { 'conv/kernel/momentum': _dropped, ...slots } = saved.optimizer.slots;
    store.files.set('last', await encodeCheckpoint(model, { steps: saved.optimizer.steps, slots }, saved.progress));
    const error = await fit(smallCnn(), { ...base, checkpoints: { store }, resume: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(
      /memory:last at byte 8: the optimizer slots do not fit sgd \(momentum per trainable weight\) after 3 steps: missing optimizer\/conv\/kernel\/momentum/,
    );
    const wrong = { ...saved.optimizer.slots, 'fc/bias/momentum': { data: new Float32Array(3), shape: [3] } };
    store.files.set('last', await encodeCheckpoint(model, { steps: 3, slots: wrong }, saved.progress));
    await expect(fit(smallCnn(), { ...base, checkpoints: { store }, resume: true })).rejects.toThrow(
      /optimizer\/fc\/bias\/momentum is \[3\], its weight is \[2\]/,
    );
    model.dispose();
  });

  it('trainStart carries the resumed history, so a listener can rewrite its own log from it', async () => {
    const store = memoryStore();
    await fit(smallCnn(), { ...base, epochs: 2, checkpoints: { store } });
    const starts: FitEvent[] = [];
    await fit(smallCnn(), { ...base, checkpoints: { store }, resume: true, onEvent: (e) => void starts.push(e) });
    const start = starts[0] as Extract<FitEvent, { type: 'trainStart' }>;
    expect(start.history).toEqual(decodeCheckpoint(store.files.get('last') as Uint8Array).progress.history.slice(0, 2));
  });

  it('a non-finite loss before any checkpoint says that none was written yet', async () => {
    const error = await fit(smallCnn(), {
      ...base,
      lr: 1e30,
      optimizer: { type: 'sgd' },
      checkpoints: { store: memoryStore() },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toMatch(
      /training stopped before this step changed any weight\. No checkpoint was written yet\./,
    );
    expect((error as Error).message).not.toMatch(/last good checkpoint/);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
  });
});
