import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it, vi } from 'vitest';
import { BackendError } from './errors.js';
import { initBackend } from './init.js';

// A fresh machine: no CUDA, no native addon (no libdnnl-dev), no WebGPU adapter.
vi.mock('./start-native.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./start-native.js')>()),
  loadAdapter: vi.fn(async (name: string) => {
    throw new BackendError(name, `@convkit/backend-${name} is not installed`);
  }),
}));
vi.mock('./webgpu-probe.js', () => ({ probeAdapterInChild: vi.fn(async () => ({ adapter: undefined })) }));
vi.mock('./webgpu.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./webgpu.js')>()),
  ensureNavigatorGpu: vi.fn(async () => ({})),
  probeAdapter: vi.fn(async () => undefined),
}));

describe("'auto' without native", () => {
  it('starts wasm on the machine’s cores (at most 8) and says so', async () => {
    const info = await initBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.threads).toBe(Math.min(8, availableParallelism()));
    const threads = `${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    expect(info.reason).toContain('native: @convkit/backend-native is not installed');
    expect(info.reason).toMatch(new RegExp(`: wasm \\(${threads}\\) is the fastest CPU backend here$`));
    expect(Array.from(await tf.add(tf.ones([2]), tf.ones([2])).data())).toEqual([2, 2]);
  });

  it('takes threads: 1 from the options', async () => {
    const info = await initBackend('auto', { threads: 1 });
    expect(info).toMatchObject({ name: 'wasm', threads: 1 });
    expect(info.reason).toMatch(/: wasm \(1 thread\) is the fastest CPU backend here$/);
  });
});
