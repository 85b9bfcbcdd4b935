// AlexNet-sized layers (11×11/4 conv, 3×3/2 pools, 4096-wide dense layers)
// through a whole backward pass: wasm's gradients equal cpu's. WebGPU is left
// out here: on a software adapter one AlexNet step takes half a minute.
import { alexnet, batchFor, gradients } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BackendName, initBackend } from '../../src/index.js';

async function alexnetGradients(name: BackendName) {
  await initBackend(name);
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
  it('wasm gives the loss and every gradient that cpu gives', async () => {
    const cpu = await alexnetGradients('cpu');
    const wasm = await alexnetGradients('wasm');
    expect(wasm.loss).toBeCloseTo(cpu.loss, 4);
    for (const [variable, reference] of cpu.grads) {
      const mine = wasm.grads.get(variable) as Float32Array;
      const scale = reference.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const worst = reference.reduce((m, v, i) => Math.max(m, Math.abs(v - (mine[i] as number))), 0);
      expect(worst / scale, variable).toBeLessThan(1e-4);
    }
  }, 300_000);
});
