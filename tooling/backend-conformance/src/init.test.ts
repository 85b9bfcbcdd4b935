// initBackend with the native adapters installed: @convkit/backend cannot
// import them in its own tests (they depend on it), so these run here.

import { BackendError, initBackend } from '@convkit/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

describe('initBackend with the adapters', () => {
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
    const { cudaStatus } = await import('@convkit/backend-cuda');
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

  it('passes a bad native thread count on as a typed error', async () => {
    await expect(initBackend('native', { threads: 0 })).rejects.toThrow(
      'native: threads must be a positive integer, received 0',
    );
  });
});
