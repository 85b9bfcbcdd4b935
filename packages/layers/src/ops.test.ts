import { initBackend } from '@convkit/backend';
import { RELU_GRAD } from '@convkit/backend/adapter';
import { namesThatStart } from '@convkit/vitest-config/started';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Conv2d } from './conv.js';
import { Dense } from './dense.js';
import { convBiasActivation, type FusedActivation, fusesHere, matMulBiasActivation } from './ops.js';
import { runLayerTest } from './testing/index.js';

/** The backends here on which the layers fuse: wasm, and native where its addon is built. */
const fusing = ['wasm', ...(await namesThatStart(['native'], (name) => initBackend(name, { threads: 2 })))];

beforeAll(async () => {
  await initBackend('cpu');
});

/** Largest |a − b| over the value and every gradient of two runs. */
async function worst(a: tf.Tensor[], b: tf.Tensor[]): Promise<number> {
  let most = 0;
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [await (a[i] as tf.Tensor).data(), await (b[i] as tf.Tensor).data()];
    expect(x.length).toBe(y.length);
    x.forEach((v, k) => {
      most = Math.max(most, Math.abs(v - (y[k] as number)));
    });
  }
  return most;
}

describe('fused conv and matmul with their registered gradients vs the unfused ops', () => {
  it.each(['relu', 'linear'] as FusedActivation[])(
    'conv + bias + %s, stride 2, padding 1: output and all three gradients',
    async (act) => {
      const before = tf.memory().numTensors;
      const x = tf.randomNormal([2, 7, 7, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const b = tf.randomNormal([4], 0, 1, 'float32', 3) as tf.Tensor1D;
      const pad: [[0, 0], [1, 1], [1, 1], [0, 0]] = [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ];
      const dy = tf.randomNormal([2, 4, 4, 4], 0, 1, 'float32', 4);
      const plain = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
        const y = tf.add(tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, 2, pad), bi);
        return tf.sum(tf.mul(act === 'relu' ? tf.relu(y) : y, dy));
      };
      const fused = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(
          tf.mul(convBiasActivation(xi as tf.Tensor4D, wi as tf.Tensor4D, bi as tf.Tensor1D, [2, 2], pad, act), dy),
        );
      const mine = tf.valueAndGrads(fused)([x, w, b]);
      const theirs = tf.valueAndGrads(plain)([x, w, b]);
      expect(await worst([mine.value, ...mine.grads], [theirs.value, ...theirs.grads])).toBeLessThan(1e-4);
      tf.dispose([x, w, b, dy, mine.value, theirs.value, ...mine.grads, ...theirs.grads]);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  it.each(['relu', 'linear'] as FusedActivation[])(
    'matmul + bias + %s: output and all three gradients',
    async (act) => {
      const x = tf.randomNormal([5, 6], 0, 1, 'float32', 5) as tf.Tensor2D;
      const w = tf.randomNormal([6, 3], 0, 1, 'float32', 6) as tf.Tensor2D;
      const b = tf.randomNormal([3], 0, 1, 'float32', 7) as tf.Tensor1D;
      const dy = tf.randomNormal([5, 3], 0, 1, 'float32', 8);
      const plain = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => {
        const y = tf.add(tf.matMul(xi as tf.Tensor2D, wi as tf.Tensor2D), bi);
        return tf.sum(tf.mul(act === 'relu' ? tf.relu(y) : y, dy));
      };
      const fused = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
        tf.sum(tf.mul(matMulBiasActivation(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D, act), dy));
      const mine = tf.valueAndGrads(fused)([x, w, b]);
      const theirs = tf.valueAndGrads(plain)([x, w, b]);
      // Same float32 operations on cpu: the same bits.
      expect(await worst([mine.value, ...mine.grads], [theirs.value, ...theirs.grads])).toBe(0);
      tf.dispose([x, w, b, dy, mine.value, theirs.value, ...mine.grads, ...theirs.grads]);
    },
  );
});

describe.skipIf(fusing.length === 0)('Conv2d and Dense on a backend that fuses them', () => {
  it.each(fusing)('%s: relu and linear layers pass runLayerTest through the fused kernels', async (name) => {
    await initBackend(name as 'wasm' | 'native');
    expect(fusesHere()).toBe(true);
    await runLayerTest(() => new Conv2d({ filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }), {
      input: [7, 7, 3],
    });
    await runLayerTest(() => new Dense({ units: 5, activation: 'relu' }), { input: [6] });
    await runLayerTest(() => new Dense({ units: 5 }), { input: [6] });
    await initBackend('cpu');
  });

  it.each(fusing)(
    "%s: a fused ReLU's gradient is the backend's one-kernel Relu gradient, not dy·step",
    async (name) => {
      await initBackend(name as 'wasm' | 'native');
      const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2), true, 'w');
      const b = tf.variable(tf.randomNormal([4], 0, 1, 'float32', 3), true, 'b');
      const loss = () =>
        tf.sum(
          convBiasActivation(
            x,
            w as tf.Tensor4D,
            b as tf.Tensor1D,
            [1, 1],
            [
              [0, 0],
              [1, 1],
              [1, 1],
              [0, 0],
            ],
            'relu',
          ),
        ) as tf.Scalar;
      const profile = await tf.profile(() => tf.variableGrads(loss, [w, b]).grads.w as tf.Tensor);
      const kernels = profile.kernels.map((k) => k.name);
      expect(kernels.filter((k) => k === RELU_GRAD)).toHaveLength(1);
      expect(kernels).not.toContain('Step');
      tf.dispose([x, w, b]);
      await initBackend('cpu');
    },
  );
});
