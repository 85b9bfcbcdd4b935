// The emulator must catch the bugs it exists for, or a kernel that passes
// under emulation proves little: a missing __syncthreads() has to give wrong
// values, and a barrier that only some threads reach has to be an error.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CudaAddon, cudaBinary, loadCudaAddon } from './addon.js';

interface SelfTest {
  emulatorSelfTest(kind: number, out: number, input: number, blocks: number): void;
}

let addon: (CudaAddon & SelfTest) | undefined;
try {
  addon = loadCudaAddon('emulated') as CudaAddon & SelfTest;
} catch (error) {
  if (process.env.CI) throw error;
  console.warn(`emulator tests skipped: ${error instanceof Error ? error.message : String(error)}`);
}

describe.skipIf(!addon)(`the CUDA emulator (${cudaBinary('emulated')})`, () => {
  const run = (kind: number) => {
    const emulator = addon as CudaAddon & SelfTest;
    const blocks = 3;
    const input = Float32Array.from({ length: 64 * blocks }, (_, i) => i);
    const inPointer = emulator.allocate(input.byteLength);
    const outPointer = emulator.allocate(input.byteLength);
    try {
      emulator.upload(inPointer, input);
      emulator.zero(outPointer, input.byteLength);
      emulator.emulatorSelfTest(kind, outPointer, inPointer, blocks);
      const out = new Float32Array(input.length);
      emulator.download(outPointer, out);
      return out;
    } finally {
      emulator.release(inPointer);
      emulator.release(outPointer);
    }
  };
  const reversed = Float32Array.from({ length: 64 * 3 }, (_, i) => Math.floor(i / 64) * 64 + 63 - (i % 64));

  it('runs a correct shared-memory kernel: blocks, threads and barriers as on a GPU', () => {
    expect(run(0)).toEqual(reversed);
  });

  it('gives wrong values when a __syncthreads() is missing (threads run until their next barrier)', () => {
    const out = run(1);
    expect(out).not.toEqual(reversed);
    // Thread 0 reads the last slot before thread 63 writes it: it sees the previous block's value.
    expect(out[64]).toBe(63);
  });

  it('reports a barrier that not every thread of a block reaches', () => {
    expect(() => run(2)).toThrow(
      /launch of divergent: a __syncthreads\(\) that not every thread of block \(0,0,0\) reaches/,
    );
  });

  it('runs blocks last to first with CONVKIT_CUDA_EMULATE_ORDER=reverse (kernels/order.test.ts uses it)', () => {
    expect(run(3)[0]).toBe(2);
    process.env.CONVKIT_CUDA_EMULATE_ORDER = 'reverse';
    try {
      expect(run(3)[0]).toBe(0);
      // Threads between barriers run last to first too: the missing barrier now shows in block 0 as well.
      expect(run(1)[63]).not.toBe(0);
    } finally {
      delete process.env.CONVKIT_CUDA_EMULATE_ORDER;
    }
  });

  it('compiles every .cu file of native/ (emulate_kernels.cc lists them all)', () => {
    const folder = new URL('../native/', import.meta.url);
    const unity = readFileSync(new URL('emulate_kernels.cc', folder), 'utf8');
    const sources = readdirSync(folder).filter((f) => f.endsWith('.cu') && f !== 'runtime_cuda.cu');
    for (const source of sources) expect(unity, source).toContain(`#include "${source}"`);
  });
});
