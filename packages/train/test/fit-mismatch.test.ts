import { initBackend } from '@convkit/backend';
import { BatchNorm, Conv2d, Dense, Flatten, MaxPool2d, sequential } from '@convkit/layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWeights, memoryStore } from '../src/checkpoint.js';
import { TrainingError } from '../src/errors.js';
import type { FitEvent } from '../src/events.js';
import { fit } from '../src/fit.js';
import { halves, smallCnn } from './toy.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const base = { train: halves(32, 1), batchSize: 16, lr: 0.05, seed: 3, epochs: 1 } as const;

/** smallCnn's layer names with 8 filters instead of 4: its checkpoint names the same weights with other shapes. */
const wider = () =>
  sequential(
    [
      new Conv2d({ name: 'conv', filters: 8, kernel: 3, padding: 'same' }),
      new BatchNorm({ name: 'bn' }),
      new MaxPool2d({ name: 'pool', kernel: 2 }),
      new Flatten(),
      new Dense({ name: 'fc', units: 2 }),
    ],
    { name: 'wider' },
  );

describe('fit refuses what does not belong to the model, before training', () => {
  it('a checkpoint of another model: a TrainingError naming the file, the weights and shapes, and resume: false', async () => {
    const store = memoryStore();
    await fit(wider(), { ...base, checkpoints: { store } });
    const model = smallCnn();
    const error = await fit(model, { ...base, epochs: 2, checkpoints: { store }, resume: true }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingError);
    const message = (error as Error).message;
    expect(message).toMatch(/^cannot resume: memory:last does not fit model small: /);
    expect(message).toContain('conv/kernel is [3, 3, 1, 8], the model has [3, 3, 1, 4]');
    expect(message).toContain('fc/kernel is [128, 2], the model has [64, 2]');
    expect(message).toMatch(/resume: false/);
    expect(message).toMatch(/--resume/);
    model.dispose();
  });

  it('loadWeights alone throws the TrainingError too, without the resume advice', () => {
    const model = smallCnn().build([8, 8, 1]);
    const weights = new Map([['conv/kernel', { data: new Float32Array(72), shape: [3, 3, 1, 8] }]]);
    expect(() => loadWeights(model, weights, 'other.safetensors')).toThrow(TrainingError);
    expect(() => loadWeights(model, weights, 'other.safetensors')).toThrow(
      /^other\.safetensors does not fit model small: conv\/kernel is \[3, 3, 1, 8\], the model has \[3, 3, 1, 4\]; missing conv\/bias/,
    );
    model.dispose();
  });

  it('labels of 10 classes for a last layer of 2 units: a TrainingError naming the layer, before any event', async () => {
    const ten = { ...halves(32, 1), classes: 10 };
    ten.labels.forEach((_, i) => {
      ten.labels[i] = i % 10;
    });
    const events: FitEvent[] = [];
    const model = smallCnn();
    const error = await fit(model, { ...base, train: ten, onEvent: (e) => void events.push(e) }).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toBe(
      "fit: the model's last layer fc has 2 units, but train has 10 classes: give fc units: 10 (or train on data with 2 classes)",
    );
    expect(events).toEqual([]);
    const validation = await fit(model, { ...base, validation: ten }).catch((e) => e);
    expect((validation as Error).message).toMatch(
      /^fit: the model's last layer fc has 2 units, but validation has 10 classes/,
    );
    model.dispose();
  });

  it('more units than classes too: the labels are one-hot vectors of `classes` entries', async () => {
    const model = sequential([new Flatten(), new Dense({ name: 'head', units: 5 })], { name: 'wide-head' });
    const error = await fit(model, base).catch((e) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as Error).message).toMatch(/^fit: the model's last layer head has 5 units, but train has 2 classes/);
    model.dispose();
  });
});
