import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { identityConfig } from './identity.js';

const numDataIds = () => tf.engine().backend.numDataIds();

/** Weight gradients of a small conv → ReLU → max-pool → dense net (its tape saves tensors through Identity). */
async function gradients(): Promise<Float32Array[]> {
  const x = tf.tensor4d(seeded(2 * 8 * 8 * 3, 1), [2, 8, 8, 3]);
  const w = tf.tensor4d(seeded(3 * 3 * 3 * 4, 2), [3, 3, 3, 4]);
  const d = tf.tensor2d(seeded(64 * 5, 3), [64, 5]);
  const grads = tf.grads((wt: tf.Tensor, dt: tf.Tensor) => {
    const h = tf.maxPool(tf.relu(tf.conv2d(x, wt as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
    return tf.sum(tf.square(tf.matMul(tf.reshape(h, [2, 64]), dt as tf.Tensor2D)));
  })([w, d]);
  const values = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
  tf.dispose([x, w, d, ...grads]);
  return values;
}

describe('wasm Identity (no copy)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('shares the input’s memory, which lives until both tensors are disposed', async () => {
    const before = numDataIds();
    const x = tf.tensor([1.5, -2, 3]);
    const y = tf.clone(x);
    expect(numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1.5, -2, 3]);
    y.dispose();
    expect(numDataIds()).toBe(before);
  });

  it('clones string tensors with the stock kernel', async () => {
    const s = tf.tensor(['a', 'bc']);
    const c = tf.clone(s);
    expect(await c.data()).toEqual(['a', 'bc']);
    tf.dispose([s, c]);
  });

  it('leaves gradients through a saved-tensor tape bit-identical to the copying kernel, and no memory behind', async () => {
    const before = [tf.memory().numTensors, numDataIds()];
    const shared = await gradients();
    expect([tf.memory().numTensors, numDataIds()]).toEqual(before);
    const stock = tf.getKernel('Identity', 'wasm');
    expect(stock?.kernelFunc).toBe(identityConfig.kernelFunc);
    await initBackend('wasm', { kernels: 'stock' });
    // The stock set lacks the filter gradient: put convkit's set back but tfjs' copying Identity.
    const copying = tf.getKernel('Identity', 'wasm');
    await initBackend('wasm');
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(copying as tf.KernelConfig);
    const copied = await gradients();
    tf.unregisterKernel('Identity', 'wasm');
    tf.registerKernel(identityConfig);
    expect(shared.map((g) => Array.from(g))).toEqual(copied.map((g) => Array.from(g)));
  });
});
