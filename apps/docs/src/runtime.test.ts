import type { BackendInfo } from '@convkit/backend';
import { describe, expect, it } from 'vitest';
import {
  backendParam,
  describeBackend,
  PAGE_BACKENDS,
  pageThreads,
  threadsParam,
  unavailable,
  wasmPrefix,
} from './runtime.js';

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
    expect(describeBackend(wasm, false)).toBe(
      'wasm (8-core CPU, 1 thread: this page is not cross-origin isolated (its host sends no COOP/COEP headers), so the browser allows wasm no threads)',
    );
    // Only wasm's threads depend on the page's isolation.
    expect(describeBackend({ ...wasm, name: 'cpu' }, false)).toBe('cpu (8-core CPU, 1 thread)');
    expect(describeBackend(swiftshader, false)).toBe('webgpu (google swiftshader, software)');
  });

  it('reads ?threads=, and names a bad value', () => {
    expect(threadsParam('?threads=1')).toEqual({ threads: 1 });
    expect(threadsParam('?backend=wasm&threads=16')).toEqual({ threads: 16 });
    expect(threadsParam('')).toEqual({});
    for (const bad of ['0', '-2', '1.5', 'two', '2e0'])
      expect(threadsParam(`?threads=${bad}`).error).toBe(
        `?threads=${bad} is not a thread count: use a whole number ≥ 1, e.g. ?threads=1`,
      );
  });

  it('asks wasm for a thread per core, ?threads= when given, and 1 where the page is not isolated', () => {
    expect(pageThreads('', true, 2)).toBe(2);
    expect(pageThreads('?threads=1', true, 8)).toBe(1);
    expect(pageThreads('?threads=3', true, 8)).toBe(3);
    expect(pageThreads('', true, undefined)).toBeUndefined();
    expect(pageThreads('', false, 8)).toBe(1);
    expect(pageThreads('?threads=4', false, 8)).toBe(1);
    expect(() => pageThreads('?threads=0', true, 8)).toThrow('?threads=0 is not a thread count');
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
