import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONV3X3, LENET5 } from './architectures.js';
import { architectureCost } from './cost.js';
import { tfjsWorkload } from './workers/tfjs-workloads.js';

// AlexNet and VGG-16 are checked the same way by the tfjs worker at bench time (too big to allocate in a test).
describe('@convkit/workloads matches the architecture tables', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('LeNet-5 and the conv workload allocate the parameters the tables count', () => {
    for (const [id, architecture] of [
      ['lenet5', LENET5],
      ['conv3x3', CONV3X3],
    ] as const) {
      const w = tfjsWorkload(id, 2, id === 'lenet5' ? 'train' : 'forward');
      expect(w.params, id).toBe(architectureCost(architecture).params);
      w.dispose();
    }
  });

  it('a training step leaves no tensor behind', async () => {
    const w = tfjsWorkload('lenet5', 4, 'train');
    await w.run();
    const before = tf.memory().numTensors;
    await w.run();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
