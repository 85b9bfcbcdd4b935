import { initBackend } from '@convkit/backend';
import { Conv2d, Flatten, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseXml } from '../../test/xml.js';
import { activationHistograms, weightHistograms } from './layer-histograms.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('per-layer histograms', () => {
  const model = () =>
    sequential([
      new Conv2d({ filters: 4, kernel: 3, activation: 'relu', name: 'conv1' }),
      new MaxPool2d({ kernel: 2, name: 'pool1' }),
      new Flatten({ name: 'flat' }),
    ]).build([8, 8, 1], { seed: 2 });

  it('counts every weight of every layer', async () => {
    const hs = await weightHistograms(model(), { bins: 10 });
    expect(hs.map((h) => [h.name, h.counts.reduce((a, b) => a + b, 0)])).toEqual([
      ['conv1/kernel', 36],
      ['conv1/bias', 4],
    ]);
    expect(parseXml(hs[0]?.svg ?? '').attributes['aria-label']).toBe('conv1/kernel [3×3×1×4]');
  });

  it('counts every output of every layer in one pass, without leaks', async () => {
    const m = model();
    const x = tf.randomUniform([2, 8, 8, 1], -1, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const hs = await activationHistograms(m, x, { bins: 5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(hs.map((h) => [h.name, h.counts.reduce((a, b) => a + b, 0)])).toEqual([
      ['conv1', 2 * 6 * 6 * 4],
      ['pool1', 2 * 3 * 3 * 4],
      ['flat', 2 * 36],
    ]);
    // After the ReLU, no value is below 0.
    expect(hs[0]?.edges[0]).toBeGreaterThanOrEqual(0);
  });
});
