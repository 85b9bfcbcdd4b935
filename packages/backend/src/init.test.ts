import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BackendError, initBackend } from './index.js';

describe('initBackend', () => {
  it('starts cpu with gradients and chained ops registered', async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', threads: 1, kernels: 'convkit', device: { kind: 'cpu' } });
    expect(tf.getBackend()).toBe('cpu');
    const dx = tf.grad((x: tf.Tensor) => x.square().sum())(tf.tensor1d([1, 2, 3]));
    expect(Array.from(await dx.data())).toEqual([2, 4, 6]);
  });

  it('starts wasm', async () => {
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', threads: 1 });
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(await tf.add(tf.ones([2]), tf.ones([2])).data())).toEqual([2, 2]);
  });

  it('auto never picks a software WebGPU adapter and says why it chose', async () => {
    const info = await initBackend('auto');
    expect(['wasm', 'cpu', 'webgpu']).toContain(info.name);
    if (info.name === 'webgpu') expect(info.device.software).toBe(false);
    expect(info.reason).toBeTruthy();
  });

  it('rejects unknown names and misplaced options with a typed error', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(BackendError);
    await expect(initBackend('tpu' as never)).rejects.toThrow(
      "tpu: unknown backend: use 'auto', 'cpu', 'wasm' or 'webgpu'",
    );
    await expect(initBackend('native' as never)).rejects.toThrow("'native' arrives with @convkit/backend-native");
    await expect(initBackend('cpu', { threads: 4 })).rejects.toThrow(
      'the threads option applies to the wasm backend only',
    );
    await expect(initBackend('cpu', { kernels: 'fast' as never })).rejects.toThrow(
      "kernels must be 'convkit' or 'stock'",
    );
  });
});
