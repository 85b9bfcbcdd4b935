import type { BackendInfo } from '@convkit/backend';
import { describe, expect, it } from 'vitest';
import { backendParam, describeBackend, PAGE_BACKENDS, unavailable, wasmPrefix } from './runtime.js';

describe('the page backend', () => {
  it('reads ?backend= among other parameters, and names a bad value', () => {
    expect(backendParam('?backend=webgpu')).toEqual({ choice: 'webgpu' });
    expect(backendParam('?x=1&backend=wasm')).toEqual({ choice: 'wasm' });
    expect(backendParam('')).toEqual({});
    expect(backendParam('?backend=')).toEqual({});
    expect(backendParam('?backend=cuda').error).toBe(
      '?backend=cuda is not a backend this page can run: use auto, webgpu, wasm, cpu',
    );
    for (const choice of PAGE_BACKENDS) expect(backendParam(`?backend=${choice}`)).toEqual({ choice });
  });

  it('says which backend and adapter run', () => {
    const swiftshader: BackendInfo = {
      name: 'webgpu',
      device: { kind: 'gpu', description: 'google swiftshader', software: true },
      threads: 1,
      kernels: 'convkit',
    };
    expect(describeBackend(swiftshader)).toBe('webgpu (google swiftshader, software)');
    const gpu = { ...swiftshader, device: { kind: 'gpu' as const, description: 'nvidia ampere', software: false } };
    expect(describeBackend(gpu)).toBe('webgpu (nvidia ampere)');
    const wasm: BackendInfo = {
      name: 'wasm',
      device: { kind: 'cpu', description: '8-core CPU' },
      threads: 1,
      kernels: 'convkit',
    };
    expect(describeBackend(wasm)).toBe('wasm (8-core CPU, 1 thread)');
    expect(describeBackend({ ...wasm, threads: 4 })).toBe('wasm (8-core CPU, 4 threads)');
  });

  it('explains an unavailable backend with what to pick instead', () => {
    const message = unavailable('webgpu', new Error('webgpu: this browser has no navigator.gpu'));
    expect(message).toBe(
      'The webgpu backend is not available in this browser — webgpu: this browser has no navigator.gpu. To go on, pick wasm (or auto, which falls back to it).',
    );
  });

  it('serves the wasm files under the site base', () => {
    expect(wasmPrefix('/')).toBe('/wasm/');
    expect(wasmPrefix('/convkit')).toBe('/convkit/wasm/');
  });
});
