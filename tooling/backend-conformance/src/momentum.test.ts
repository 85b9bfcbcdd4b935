// The bench's optimizer (@convkit/workloads' sgdMomentum: one fused kernel
// call per step where the backend has it) trains LeNet-5 exactly as tfjs'
// own tf.train.momentum, the update the bench ran before, on every backend.

import { batchFor, lenet5, type StepOptimizer, sgdMomentum, trainStepAsync } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, use } from './harness.js';

const backends = await backendsUnderTest();

/** Three LeNet-5 steps from one seed: the losses, every weight afterwards and the live tensors after each step. */
async function train(optimizer: StepOptimizer) {
  const net = lenet5(3);
  const { x, y } = batchFor(net, 64, 5);
  const losses: number[] = [];
  const live: number[] = [];
  for (let step = 0; step < 3; step++) {
    losses.push(await trainStepAsync(net, optimizer, x, y));
    live.push(tf.memory().numTensors);
  }
  const weights = await Promise.all(net.variables.map(async (v) => Array.from(await v.data())));
  optimizer.dispose();
  tf.dispose([x, y]);
  net.dispose();
  return { losses, weights, live };
}

describe('sgdMomentum (the bench optimizer) vs tf.train.momentum(0.01, 0.9)', () => {
  it.each(backends)(
    '%s: the same losses and weights after 3 steps, no tensor growth',
    async (name) => {
      await use(name);
      const before = tf.memory().numTensors;
      const theirs = await train(tf.train.momentum(0.01, 0.9));
      const between = tf.memory().numTensors;
      const mine = await train(sgdMomentum(0.01, 0.9));
      // tfjs' optimizer keeps one scalar after dispose(); the fused path none.
      expect(tf.memory().numTensors - between).toBeLessThanOrEqual(between - before);
      expect(mine.live[1]).toBe(mine.live[0]);
      expect(mine.live[2]).toBe(mine.live[0]);
      // w + (−lr)·v (tfjs) and w − lr·v (the fused kernel) are the same float32 number.
      expect(mine.losses).toEqual(theirs.losses);
      let worst = 0;
      mine.weights.forEach((w, i) => {
        w.forEach((v, k) => {
          worst = Math.max(worst, Math.abs(v - (theirs.weights[i]?.[k] as number)));
        });
      });
      expect(worst).toBeLessThanOrEqual(name === 'native' || name === 'cpu' ? 0 : 1e-6);
    },
    300_000,
  );
});
