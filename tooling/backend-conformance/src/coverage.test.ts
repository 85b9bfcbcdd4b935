import { formatCoverage, initBackend, kernelCoverage, LAYER_KERNELS } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest } from './harness.js';
import { kernelsUsed, LAYER_OPS } from './layer-ops.js';

const backends = await backendsUnderTest();

describe('kernel coverage', () => {
  it('LAYER_KERNELS is exactly what the layer operations reach, forward and backward (profiled on cpu)', async () => {
    await initBackend('cpu');
    const reached = new Set<string>();
    for (const body of Object.values(LAYER_OPS)) {
      const before = tf.memory().numTensors;
      const names = await kernelsUsed(() => tf.tidy(body));
      for (const name of names) if (!name.endsWith('__op')) reached.add(name);
      tf.disposeVariables();
      expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before);
    }
    expect([...reached].sort()).toEqual([...LAYER_KERNELS].sort());
  });

  it.each(backends)('%s has every kernel the layers need, forward and gradient', async (name) => {
    const rows = await kernelCoverage([name]);
    const missing = rows.filter((r) => r.backends[name] === 'missing').map((r) => r.kernel);
    expect(missing, `missing on ${name}`).toEqual([]);
  });

  it.skipIf(!backends.includes('cuda'))(
    'cuda runs every kernel the layers need on the GPU, none on host copies',
    async () => {
      const rows = await kernelCoverage(['cuda']);
      const onCpu = rows.filter((r) => r.backends.cuda !== 'convkit').map((r) => r.kernel);
      expect(onCpu, 'layer kernels without a GPU kernel').toEqual([]);
    },
  );

  it('prints the matrix', async () => {
    const text = formatCoverage(await kernelCoverage(backends));
    expect(text.split('\n')[0]).toMatch(/^kernel +cpu +wasm/);
    expect(text).toContain('Conv2DBackpropFilter');
  });
});
