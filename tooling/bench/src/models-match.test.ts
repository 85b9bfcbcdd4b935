import { initBackend } from '@convkit/backend';
import { mnistDataDir } from '@convkit/data';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONV3X3, LENET5, SGEMM } from './architectures.js';
import { architectureCost } from './cost.js';
import { tfjsWorkload } from './workers/tfjs-workloads.js';

// AlexNet and VGG-16 are checked the same way by the tfjs worker at bench time (too big to allocate in a test).
describe('@convkit/workloads matches the architecture tables', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('LeNet-5, the conv and the SGEMM workloads allocate the parameters the tables count', () => {
    for (const [id, architecture] of [
      ['lenet5', LENET5],
      ['conv3x3', CONV3X3],
      ['sgemm', SGEMM],
    ] as const) {
      const mode = id === 'lenet5' ? 'train' : 'forward';
      const w = tfjsWorkload({ id, batch: 2, mode, architecture });
      expect(w.params, id).toBe(architectureCost(architecture).params);
      w.dispose();
    }
  });

  it('a training step leaves no tensor behind', async () => {
    const w = tfjsWorkload({ id: 'lenet5', batch: 4, mode: 'train', architecture: LENET5 });
    await w.run();
    const before = tf.memory().numTensors;
    await w.run();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  it('an MNIST epoch (here the first 256 digits) trains LeNet-5 and leaves no tensor behind', async () => {
    const dir = mnistDataDir();
    const data = { images: `${dir}/train-images-idx3-ubyte`, labels: `${dir}/train-labels-idx1-ubyte`, examples: 256 };
    const w = tfjsWorkload({ id: 'mnist', batch: 64, mode: 'epoch', architecture: LENET5, data });
    expect(w.params).toBe(architectureCost(LENET5).params);
    await w.run();
    const before = tf.memory().numTensors;
    await w.run();
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });
});
