import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, memoryStore } from '../src/checkpoint.js';
import { TrainingError } from '../src/errors.js';
import type { FitEvent } from '../src/events.js';
import { fit } from '../src/fit.js';
import { halves, smallCnn } from './toy.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const train = halves(96, 1);
const validation = halves(32, 2);
const base = { train, validation, batchSize: 16, lr: 0.05, seed: 3 } as const;

async function weightsOf(model: ReturnType<typeof smallCnn>): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const [name, v] of model.namedWeights()) out[name] = Array.from(await v.data());
  return out;
}

describe('fit', () => {
  it('learns the toy task and reports events in order', async () => {
    const model = smallCnn();
    const events: FitEvent[] = [];
    const result = await fit(model, { ...base, epochs: 4, onEvent: (e) => void events.push(e) });
    expect(result.reason).toBe('completed');
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('trainStart');
    expect(types.at(-1)).toBe('trainEnd');
    expect(types.filter((t) => t === 'batchEnd')).toHaveLength(4 * 6);
    expect(types.filter((t) => t === 'epochEnd')).toHaveLength(4);
    // per epoch: epochStart, 6 × batchEnd, epochEnd
    expect(types.slice(1, 9)).toEqual(['epochStart', ...Array(6).fill('batchEnd'), 'epochEnd']);
    const last = result.history.at(-1);
    expect(last?.validationTop1Error).toBeLessThanOrEqual(0.1);
    expect(last?.trainLoss).toBeLessThan((result.history[0]?.trainLoss ?? 0) + 1e-9);
    const batch = events.find((e) => e.type === 'batchEnd');
    expect(batch).toMatchObject({ epoch: 0, batch: 0, batches: 6, step: 1, lr: 0.05 });
    model.dispose();
  });

  it('resumes bit for bit on cpu: stopped mid-epoch and continued equals one unbroken run', async () => {
    const unbroken = smallCnn();
    const whole = await fit(unbroken, { ...base, epochs: 3, schedule: { type: 'step', stepSize: 1, gamma: 0.5 } });
    const store = memoryStore();
    const controller = new AbortController();
    const first = smallCnn();
    const stopped = await fit(first, {
      ...base,
      epochs: 3,
      schedule: { type: 'step', stepSize: 1, gamma: 0.5 },
      checkpoints: { store },
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'batchEnd' && e.epoch === 1 && e.batch === 2) controller.abort();
      },
    });
    expect(stopped.reason).toBe('aborted');
    expect(stopped.progress).toMatchObject({ epoch: 1, batch: 3, step: 9 });
    first.dispose();
    const second = smallCnn();
    const resumed = await fit(second, {
      ...base,
      epochs: 3,
      schedule: { type: 'step', stepSize: 1, gamma: 0.5 },
      checkpoints: { store },
      resume: true,
    });
    expect(resumed.reason).toBe('completed');
    expect(await weightsOf(second)).toEqual(await weightsOf(unbroken));
    expect(resumed.history.map((r) => [r.trainLoss, r.validationLoss, r.lr])).toEqual(
      whole.history.map((r) => [r.trainLoss, r.validationLoss, r.lr]),
    );
    tf.dispose([...unbroken.weights(), ...second.weights()]);
  });

  it('keeps tf.memory().numTensors flat across 1,000 training steps', async () => {
    const model = smallCnn();
    let atStep10 = 0;
    let atEnd = 0;
    await fit(model, {
      train: halves(16, 4),
      epochs: 250,
      batchSize: 4,
      lr: 0.01,
      onEvent: (e) => {
        if (e.type === 'batchEnd' && e.step === 10) atStep10 = tf.memory().numTensors;
        if (e.type === 'batchEnd' && e.step === 1000) atEnd = tf.memory().numTensors;
      },
    });
    expect(atStep10).toBeGreaterThan(0);
    expect(atEnd).toBe(atStep10);
    model.dispose();
  }, 120_000);

  it('stops on a non-finite loss before changing any weight, and keeps the last good checkpoint', async () => {
    const store = memoryStore();
    const model = smallCnn();
    await fit(model, { ...base, epochs: 1, checkpoints: { store } });
    const good = store.files.get('last')?.slice();
    // A learning rate so large that the loss overflows to Infinity after a step or two.
    const error = await fit(model, {
      ...base,
      epochs: 2,
      lr: 1e30,
      optimizer: { type: 'sgd' },
      checkpoints: { store },
      resume: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect(String((error as Error).message)).toMatch(
      /the loss is (NaN|Infinity) at epoch 1, batch \d+ .*last good checkpoint is memory:last/,
    );
    expect(store.files.get('last')).toEqual(good);
    expect(decodeCheckpoint(good as Uint8Array).progress.epoch).toBe(1);
    model.dispose();
  });

  it('early stopping ends when the monitored loss stops improving', async () => {
    const model = smallCnn();
    const result = await fit(model, { ...base, lr: 1e-9, epochs: 10, earlyStopping: { patience: 2, minDelta: 0.5 } });
    // lr ≈ 0: the first epoch sets the best loss; nothing can then improve it by 0.5, so epochs 2 and 3 do not count as improving.
    expect(result.reason).toBe('earlyStopping');
    expect(result.history).toHaveLength(3);
    model.dispose();
  });

  it('clips gradients to the global norm', async () => {
    const a = smallCnn();
    const b = smallCnn();
    await fit(a, { ...base, epochs: 1, clipGradNorm: 1e-6, optimizer: { type: 'sgd' } });
    await fit(b, { ...base, epochs: 1, optimizer: { type: 'sgd' } });
    const built = smallCnn().build([8, 8, 1], { seed: 3 });
    const initial = await weightsOf(built);
    const moved = (w: Record<string, number[]>) =>
      Math.max(
        ...Object.entries(w).flatMap(([n, v]) =>
          n.includes('moving') ? [0] : v.map((x, i) => Math.abs(x - ((initial[n] as number[])[i] as number))),
        ),
      );
    // 6 steps of lr 0.05 × a gradient of norm ≤ 1e-6 move no weight by more than 3e-7.
    expect(moved(await weightsOf(a))).toBeLessThan(1e-6);
    expect(moved(await weightsOf(b))).toBeGreaterThan(1e-3);
    [a, b, built].forEach((m) => {
      m.dispose();
    });
  });

  it('rejects bad options with a TrainingError, repeating the value', async () => {
    const cases: [Partial<Parameters<typeof fit>[1]>, RegExp][] = [
      [{ epochs: 0 }, /fit: epochs must be a positive integer, received 0/],
      [{ epochs: 1, batchSize: 2.5 }, /fit: batchSize must be a positive integer, received 2.5/],
      [{ epochs: 1, clipGradNorm: 0 }, /fit: clipGradNorm must be > 0, received 0/],
      [
        { epochs: 1, earlyStopping: { patience: 0 } },
        /fit: earlyStopping.patience must be a positive integer, received 0/,
      ],
      [{ epochs: 1, resume: true }, /fit: resume: true needs checkpoints.store/],
    ];
    for (const [options, message] of cases) {
      const error = await fit(smallCnn(), { ...base, epochs: 1, ...options }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TrainingError);
      expect((error as Error).message).toMatch(message);
    }
  });
});
