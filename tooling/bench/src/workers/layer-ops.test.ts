import { initBackend } from '@convkit/backend';
import { gradients, lenet5 } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { layerOps } from './layer-ops.js';

/** LeNet-5's loss and weight gradients with the ops `layerOps(kernels)` picks, and the kernels one gradient step ran. */
async function lenetStep(kernels: 'convkit' | 'stock') {
  const net = lenet5(3, layerOps(kernels));
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const y = tf.oneHot(tf.tensor1d([1, 7, 0, 9], 'int32'), 10).toFloat() as tf.Tensor2D;
  const names: string[] = [];
  let result: { loss: number; grads: Float32Array[] } | undefined;
  const profile = await tf.profile(async () => {
    const { value, grads } = gradients(net, x, y);
    result = {
      loss: (await value.data())[0] as number,
      grads: await Promise.all(net.variables.map(async (v) => (await grads[v.name]?.data()) as Float32Array)),
    };
    tf.dispose([value, ...Object.values(grads)]);
  });
  for (const k of profile.kernels) names.push(k.name);
  tf.dispose([x, y]);
  net.dispose();
  return { ...(result as NonNullable<typeof result>), names };
}

describe("layerOps: the networks run the layers' fused ops where the backend fuses", () => {
  afterAll(async () => {
    await initBackend('cpu');
  });

  it("wasm, convkit kernels: FusedConv2D and _FusedMatMul, with the unfused ops' loss and gradients", async () => {
    await initBackend('wasm', { threads: 1 });
    const fused = await lenetStep('convkit');
    const plain = await lenetStep('stock'); // the same backend, tfjs-core's ops one by one
    expect(fused.names.filter((n) => n === 'FusedConv2D')).toHaveLength(2);
    expect(fused.names.filter((n) => n === '_FusedMatMul')).toHaveLength(3);
    expect(fused.names).not.toContain('Relu');
    expect(plain.names).not.toContain('FusedConv2D');
    expect(fused.loss).toBeCloseTo(plain.loss, 5);
    fused.grads.forEach((g, i) => {
      const want = plain.grads[i] as Float32Array;
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(g, (v, j) => Math.abs(v - (want[j] as number))));
      expect(worst / scale, `variable ${i}`).toBeLessThan(1e-4);
    });
  });

  it('cpu: tfjs-core ops (convkit does not fuse there)', async () => {
    await initBackend('cpu');
    const { names } = await lenetStep('convkit');
    expect(names).not.toContain('FusedConv2D');
    expect(names).toContain('Relu');
  });
});
