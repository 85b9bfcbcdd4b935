// AlexNet-sized layers (11×11/4 conv, 3×3/2 pools, 4096-wide dense layers)
// through a whole backward pass: wasm's and cuda's gradients equal cpu's. WebGPU is left
// out here: on a software adapter one AlexNet step takes half a minute. cuda
// runs on a GPU, else on the emulator (the same CUDA kernels on the CPU).

import { type BackendName, initBackend } from '@convkit/backend';
import { alexnet, batchFor, gradients } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendWanted, cudaOnGpu, startOptions } from './harness.js';

const cudaAvailable = await (async () => {
  const { cudaStatus } = await import('@convkit/backend-cuda');
  const status = cudaStatus();
  if (process.env.CI && !status.available && !status.emulatorBuilt)
    throw new Error('CI builds the emulated CUDA addon');
  return status.available || status.emulatorBuilt;
})();

async function alexnetGradients(name: BackendName) {
  await initBackend(name, name === 'cuda' ? { emulate: !(await cudaOnGpu()) } : startOptions(name));
  const net = alexnet(3);
  const { x, y } = batchFor(net, 2, 5);
  const { value, grads } = gradients(net, x, y);
  const out = new Map<string, Float32Array>();
  for (const [variable, g] of Object.entries(grads)) out.set(variable, (await g.data()) as Float32Array);
  const loss = (await value.data())[0] as number;
  tf.dispose([x, y, value, ...Object.values(grads)]);
  net.dispose();
  return { loss, grads: out };
}

describe('AlexNet backward pass, batch 2', () => {
  let cpu: Awaited<ReturnType<typeof alexnetGradients>>;
  beforeAll(async () => {
    cpu = await alexnetGradients('cpu');
  }, 300_000);

  const sameAsCpu = (mine: typeof cpu) => {
    expect(mine.loss).toBeCloseTo(cpu.loss, 4);
    for (const [variable, reference] of cpu.grads) {
      const grad = mine.grads.get(variable) as Float32Array;
      const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = reference.reduce((m, v, i) => Math.max(m, Math.abs(v - (grad[i] as number))), 0);
      expect(worst / scale, variable).toBeLessThan(1e-4);
    }
  };

  it.skipIf(!backendWanted('wasm'))(
    'wasm gives the loss and every gradient that cpu gives',
    async () => {
      sameAsCpu(await alexnetGradients('wasm'));
    },
    300_000,
  );

  // On a GPU, or on the emulator (the same CUDA kernels on the CPU) where the emulated addon is built.
  it.skipIf(!cudaAvailable || !backendWanted('cuda'))(
    'cuda gives the loss and every gradient that cpu gives',
    async () => {
      sameAsCpu(await alexnetGradients('cuda'));
    },
    300_000,
  );
});
