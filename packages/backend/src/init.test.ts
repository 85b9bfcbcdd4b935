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
    expect(['wasm', 'cpu', 'webgpu', 'native', 'cuda']).toContain(info.name);
    if (info.name === 'webgpu') expect(info.device.software).toBe(false);
    expect(info.reason).toBeTruthy();
  });

  it('starts native when its addon is built, else says what to install; auto then prefers it over wasm', async () => {
    const { nativeStatus } = await import('@convkit/backend-native');
    const status = nativeStatus();
    if (!status.available) {
      await expect(initBackend('native')).rejects.toThrow(BackendError);
      await expect(initBackend('native')).rejects.toThrow(status.apt);
      if (process.env.CI) throw new Error(`CI installs the native toolchain: ${status.reason}`);
      return;
    }
    const info = await initBackend('native', { threads: 2 });
    expect(info).toMatchObject({ name: 'native', threads: 2, kernels: 'convkit', device: { kind: 'cpu' } });
    expect(info.device.description).toContain('oneDNN');
    expect(tf.getBackend()).toBe('native');
    const y = tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(await y.data())).toEqual([18, 18, 18, 18]);
    const auto = await initBackend('auto');
    // Only a CUDA device or a hardware WebGPU adapter comes before native.
    if (auto.name === 'native')
      expect(auto.reason).toMatch(/the native backend \(oneDNN\) is the fastest CPU backend here$/);
    expect(['native', 'webgpu', 'cuda']).toContain(auto.name);
  });

  it('starts cuda on a GPU when one answers, else says why; the emulator runs the same kernels on the CPU', async () => {
    const { cudaStatus } = await import('@convkit/backend-native');
    const status = cudaStatus();
    if (!status.available) {
      // No GPU here: the error names what is missing (the driver, a device, or the build) and never crashes.
      await expect(initBackend('cuda')).rejects.toThrow(BackendError);
      await expect(initBackend('cuda')).rejects.toThrow(/^cuda: (no CUDA device|the CUDA addon)/);
      const auto = await initBackend('auto');
      expect(auto.name).not.toBe('cuda');
      expect(auto.reason).toContain('no CUDA (');
      if (!status.emulatorBuilt) {
        if (process.env.CI) throw new Error('CI builds the emulated CUDA addon');
        return;
      }
    }
    const info = await initBackend('cuda', { emulate: !status.available });
    expect(info.name).toBe('cuda');
    expect(tf.getBackend()).toBe('cuda');
    if (!status.available) expect(info.device.description).toContain('emulator');
    const y = tf.conv2d(tf.ones([1, 4, 4, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(await y.data())).toEqual([18, 18, 18, 18]);
    if (status.available) expect((await initBackend('auto')).name).toBe('cuda');
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
    await expect(initBackend('native', { threads: 0 })).rejects.toThrow(
      'native: threads must be a positive integer, received 0',
    );
    await expect(initBackend('cpu', { kernels: 'fast' as never })).rejects.toThrow(
      "kernels must be 'convkit' or 'stock'",
    );
  });
});
