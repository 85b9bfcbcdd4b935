import { initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calls, registerReferenceKernels } from '../test/fused-kernels.js';
import { createOptimizer, type OptimizerConfig } from './optimizers.js';

const SHAPES: Record<string, number[]> = { 'conv/w': [3, 3, 2, 4], 'conv/b': [4], 'fc/w': [10, 5], 'fc/b': [5] };
const CONFIGS: OptimizerConfig[] = [
  { type: 'sgd', momentum: 0.9 },
  { type: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
  { type: 'sgd', momentum: 0.5, nesterov: true, weightDecay: 1e-2, decayBias: true },
  { type: 'sgd' },
  { type: 'adam' },
  { type: 'adam', weightDecay: 1e-3 },
];

/** Trains the four weights for `steps` seeded gradients; returns their values and the optimizer's state. */
async function train(config: OptimizerConfig, steps = 4) {
  const before = tf.memory().numTensors;
  const weights = Object.entries(SHAPES).map(([name, shape], i) => {
    const initial = tf.randomNormal(shape, 0, 1, 'float32', i + 1);
    const variable = tf.variable(initial, true, name);
    initial.dispose();
    return [name, variable] as const;
  });
  const optimizer = createOptimizer(config);
  const counts: number[] = [];
  for (let s = 0; s < steps; s++) {
    const grads = new Map(
      weights.map(([name, w], i) => [name, tf.randomNormal(w.shape, 0, 1, 'float32', 100 + 50 * s + i)]),
    );
    optimizer.step(weights as [string, tf.Variable][], grads, 0.05);
    tf.dispose([...grads.values()]);
    counts.push(tf.memory().numTensors);
  }
  const values = await Promise.all(weights.map(async ([, w]) => Array.from(await w.data())));
  const state = await optimizer.state();
  optimizer.dispose();
  for (const [, w] of weights) w.dispose();
  expect(tf.memory().numTensors, 'tensors left behind').toBe(before);
  return { values, state, counts };
}

/** Every float of a run, weights then state slots, for comparing two runs. */
function flat(run: Awaited<ReturnType<typeof train>>): number[] {
  return [...run.values.flat(), ...Object.values(run.state.slots).flatMap((s) => Array.from(s.data))];
}

describe('fused optimizer update on cpu (reference kernels) vs the per-variable update', () => {
  let unregister: () => void = () => {};
  beforeAll(async () => {
    await initBackend('cpu');
  });
  afterAll(() => unregister());

  it.each(CONFIGS)('%j: the same bits after 4 steps, one kernel call per step, no tensor growth', async (config) => {
    const unfused = await train(config);
    unregister = registerReferenceKernels();
    const before = { ...calls };
    const fused = await train(config);
    unregister();
    unregister = () => {};
    expect(calls.sgd + calls.adam - before.sgd - before.adam).toBe(4);
    expect(Object.keys(fused.state.slots)).toEqual(Object.keys(unfused.state.slots));
    expect(flat(fused)).toEqual(flat(unfused));
    expect(new Set(fused.counts.slice(1)).size).toBe(1);
    expect(fused.counts).toEqual(unfused.counts);
  });
});

/** The native backend, or undefined (with the reason printed) where the addon is not built. */
async function startNative(): Promise<string | undefined> {
  try {
    await initBackend('native', { threads: 2 });
    return 'native';
  } catch (error) {
    console.warn(`fused update on native skipped: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
}

const native = await startNative();

describe.skipIf(!native)('fused optimizer update on native vs the per-variable update', () => {
  it.each(CONFIGS)('%j: within 1e-6 after 4 steps (native kernels both ways)', async (config) => {
    await initBackend('native', { threads: 2 });
    const name = config.type === 'sgd' ? 'ConvkitSgdUpdate' : 'ConvkitAdamUpdate';
    const kernel = tf.getKernel(name, 'native') as tf.KernelConfig;
    expect(kernel).toBeDefined();
    // The addon's kernel, counted, so the test knows the fused path ran.
    let ran = 0;
    tf.unregisterKernel(name, 'native');
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        ran++;
        return kernel.kernelFunc(args);
      },
    });
    const fused = await train(config);
    expect(ran).toBe(4);
    tf.unregisterKernel(name, 'native');
    try {
      const unfused = await train(config);
      const [a, b] = [flat(fused), flat(unfused)];
      expect(a.length).toBe(b.length);
      const worst = Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
      expect(worst).toBeLessThanOrEqual(1e-6);
      expect(new Set(fused.counts.slice(1)).size).toBe(1);
    } finally {
      tf.registerKernel(kernel);
    }
  });
});
