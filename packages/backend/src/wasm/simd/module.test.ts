import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it } from 'vitest';
import { initBackend } from '../../index.js';
import { heapOffset, simdKernels } from './module.js';
import { PLAIN_MEMORY_MODULE, SHARED_MEMORY_MODULE } from './module-bytes.js';

const bytesOf = (base64: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(base64, 'base64'));
const wasmBackend = (): BackendWasm => tf.backend() as BackendWasm;
const hasClang =
  spawnSync('clang', ['--version']).status === 0 && spawnSync('llvm-objdump', ['--version']).status === 0;

afterEach(() => {
  delete process.env.CONVKIT_WASM_SIMD;
});

describe('the SIMD module', () => {
  it.each([
    ['shared', SHARED_MEMORY_MODULE, true],
    ['plain', PLAIN_MEMORY_MODULE, false],
  ])('(%s memory) imports only env.memory and writes nothing into it when instantiated', async (_, base64, shared) => {
    const module = await WebAssembly.compile(bytesOf(base64));
    expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 65536, shared });
    const before = new Uint8Array(memory.buffer).map((_, i) => (i * 31 + 7) & 0xff);
    new Uint8Array(memory.buffer).set(before);
    await WebAssembly.instantiate(module, { env: { memory } });
    expect(Buffer.compare(new Uint8Array(memory.buffer), before)).toBe(0);
  });

  it.skipIf(!hasClang)('is what wasm-kernels/*.c build (scripts/build-wasm-kernels.mjs --check)', () => {
    const script = fileURLToPath(new URL('../../../scripts/build-wasm-kernels.mjs', import.meta.url));
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

describe('simdKernels', () => {
  it('runs on the threaded build (shared memory) and on the single-threaded one (plain memory)', async () => {
    expect((await initBackend('wasm', { threads: 2 })).threads).toBe(2);
    expect(simdKernels(wasmBackend())).toBeDefined();
    expect((await initBackend('wasm', { threads: 1 })).threads).toBe(1);
    expect(simdKernels(wasmBackend())).toBeDefined();
  });

  it('gives 64-byte-aligned scratch that grows without touching tensors, and names a missing export', async () => {
    await initBackend('wasm', { threads: 2 });
    const backend = wasmBackend();
    const simd = simdKernels(backend);
    if (!simd) throw new Error('no SIMD kernels on the threaded wasm backend');
    const kept = tf.tensor1d([1.5, -2, 3.25, 4]);
    const small = simd.scratch(100);
    expect(small % 64).toBe(0);
    const large = simd.scratch(8 << 20);
    expect(large % 64).toBe(0);
    const { buffer } = backend.typedArrayFromHeap(kept);
    new Uint8Array(buffer, large, 8 << 20).fill(0xff); // the whole area is the kernels' to write
    expect(simd.scratch(64)).toBe(large); // reused while large enough
    expect(Array.from(await kept.data())).toEqual([1.5, -2, 3.25, 4]);
    expect(heapOffset(backend, kept)).not.toBe(large);
    expect(() => simd.fn('no_such_kernel')).toThrow("the SIMD module exports no 'no_such_kernel'");
    kept.dispose();
  });

  it('is switched off by CONVKIT_WASM_SIMD=0', async () => {
    await initBackend('wasm', { threads: 2 });
    process.env.CONVKIT_WASM_SIMD = '0';
    expect(simdKernels(wasmBackend())).toBeUndefined();
  });
});
