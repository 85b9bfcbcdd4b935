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

  it("starts wasm, by default on the machine's cores (at most 8)", async () => {
    const { availableParallelism } = await import('node:os');
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', threads: Math.min(availableParallelism(), 8) });
    expect(tf.getBackend()).toBe('wasm');
    expect(Array.from(await tf.add(tf.ones([2]), tf.ones([2])).data())).toEqual([2, 2]);
  });

  it('auto never picks a software WebGPU adapter and says why it chose', async () => {
    const info = await initBackend('auto');
    expect(['wasm', 'cpu', 'webgpu', 'native', 'cuda']).toContain(info.name);
    if (info.name === 'webgpu') expect(info.device.software).toBe(false);
    expect(info.reason).toBeTruthy();
  });

  it("switches between convkit's and tfjs' kernels in one process", async () => {
    await initBackend('wasm', { kernels: 'stock' });
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    const info = await initBackend('wasm');
    expect(info.kernels).toBe('convkit');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('starts webgpu when asked, reporting a software adapter as such', async () => {
    let info: Awaited<ReturnType<typeof initBackend>>;
    try {
      info = await initBackend('webgpu', { powerPreference: 'low-power' });
    } catch (error) {
      // Without a Vulkan driver the error must say what to install.
      expect(error).toBeInstanceOf(BackendError);
      expect(String(error)).toMatch(/chromium|webgpu/);
      if (process.env.CI) throw error;
      return;
    }
    expect(info.name).toBe('webgpu');
    expect(info.device.kind).toBe('gpu');
    expect(typeof info.device.software).toBe('boolean');
    const y = tf.add(tf.ones([3]), tf.ones([3]));
    expect(Array.from(await y.data())).toEqual([2, 2, 2]);
  });

  it('rejects unknown names and misplaced options with a typed error', async () => {
    await expect(initBackend('tpu' as never)).rejects.toThrow(BackendError);
    await expect(initBackend('tpu' as never)).rejects.toThrow(
      "tpu: unknown backend: use 'auto', 'cpu', 'wasm', 'webgpu', 'native' or 'cuda'",
    );
    await expect(initBackend('wasm', { emulate: true })).rejects.toThrow(
      'the emulate option applies to the cuda backend only, received emulate: true',
    );
    await expect(initBackend('cpu', { threads: 4 })).rejects.toThrow(
      'the threads option applies to the wasm and native backends only, received threads: 4',
    );
    await expect(initBackend('cpu', { kernels: 'fast' as never })).rejects.toThrow(
      "kernels must be 'convkit' or 'stock'",
    );
  });
});
