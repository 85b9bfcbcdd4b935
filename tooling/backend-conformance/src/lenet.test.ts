// The bar: a LeNet-5 training step at batch 64 works on every backend
// and gives the same gradients as cpu.

import { initBackend } from '@convkit/backend';
import { batchFor, gradients, lenet5, trainStepAsync } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendsUnderTest, use } from './harness.js';

const backends = await backendsUnderTest();

/** cuda: the kernels that ran on tfjs' cpu kernel so far, with their counts (other backends: none). */
async function cudaCpuCalls(name: string): Promise<Record<string, number>> {
  if (name !== 'cuda') return {};
  const { cudaKernelCalls } = await import('@convkit/backend-cuda');
  const calls = Object.entries(cudaKernelCalls()).filter(([, c]) => c.cpu > 0);
  return Object.fromEntries(calls.map(([kernel, c]) => [kernel, c.cpu]));
}

/** Loss and every variable's gradient of one LeNet-5 batch of 64, read back as arrays. */
async function lenetGradients(): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const net = lenet5(3);
  const { x, y } = batchFor(net, 64, 5);
  const { value, grads } = gradients(net, x, y);
  const out = new Map<string, Float32Array>();
  for (const [name, g] of Object.entries(grads)) out.set(name, (await g.data()) as Float32Array);
  const loss = (await value.data())[0] as number;
  tf.dispose([x, y, value, ...Object.values(grads)]);
  net.dispose();
  return { loss, grads: out };
}

describe('LeNet-5 training step, batch 64', () => {
  // The reference: tfjs' own cpu kernels, independent of convkit's.
  let reference: Awaited<ReturnType<typeof lenetGradients>>;
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    reference = await lenetGradients();
    await initBackend('cpu');
  }, 60_000);

  it.each(backends)(
    '%s: same loss and gradients as stock tfjs cpu, no leaks, and training lowers the loss',
    async (name) => {
      await use(name);
      const cpuCalls = await cudaCpuCalls(name);
      const optimizer = tf.train.momentum(0.01, 0.9);
      const before = tf.memory().numTensors;
      const mine = await lenetGradients();
      expect(mine.loss).toBeCloseTo(reference.loss, 4);
      expect([...mine.grads.keys()].sort()).toEqual([...reference.grads.keys()].sort());
      for (const [variable, g] of mine.grads) {
        const r = reference.grads.get(variable) as Float32Array;
        const scale = Math.max(...r.map(Math.abs));
        let worst = 0;
        g.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - (r[i] as number)));
        });
        // Relative to the layer's largest gradient: float32 sums in a different order.
        expect(worst / scale, `${variable} on ${name}`).toBeLessThan(1e-3);
      }

      const net = lenet5(3);
      const { x, y } = batchFor(net, 64, 5);
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) losses.push(await trainStepAsync(net, optimizer, x, y));
      expect(losses.at(-1)).toBeLessThan(losses[0] as number);
      const variables = net.variables.length;
      tf.dispose([x, y]);
      net.dispose();
      // What remains is the optimizer's state: one momentum buffer per variable.
      expect(tf.memory().numTensors).toBe(before + variables);
      optimizer.dispose();
      // On cuda every kernel of the step ran on the GPU: nothing went through host copies.
      expect(await cudaCpuCalls(name), 'kernels run on host copies').toEqual(cpuCalls);
    },
    300_000,
  ); // WebGPU on SwiftShader takes seconds per step
});
