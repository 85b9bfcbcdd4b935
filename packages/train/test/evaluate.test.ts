import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/evaluate.js';
import { halves, smallCnn } from './toy.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('evaluate', () => {
  it('stops between batches when its signal aborts, rejecting with the reason and leaking nothing', async () => {
    const data = halves(32, 5);
    const model = smallCnn();
    model.build([8, 8, 1], { seed: 1 });
    expect((await evaluate(model, data, { batchSize: 8 })).examples).toBe(32);

    const before = tf.memory().numTensors;
    const controller = new AbortController();
    controller.abort(new Error('stop here'));
    await expect(evaluate(model, data, { batchSize: 8, signal: controller.signal })).rejects.toThrow('stop here');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
