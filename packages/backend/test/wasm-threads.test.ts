// The threaded wasm build gives the single-threaded build's results: XNNPACK
// splits work across threads by output tiles, not along a reduction, so the
// sums are the same. The oracle is the single-threaded run of the same ops.
import { gradients, lenet5 } from '@convkit/workloads';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/init.js';
import { MAX_WASM_THREADS, noThreadsReason, planWasmThreads } from '../src/wasm/threaded-count.js';
import { host } from './wasm-oracles.js';

/** Reads every tensor, then disposes them. */
async function read(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  const values = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  return values;
}

/** A conv, a matmul and a LeNet-5 step's loss and gradients (convkit's backprop kernels), from seeded data. */
async function workload(): Promise<Float32Array[]> {
  const x = host([4, 28, 28, 8], 1);
  const w = host([3, 3, 8, 16], 2);
  const a = host([64, 300], 3);
  const b = host([300, 120], 4);
  const conv = tf.conv2d(tf.tensor4d(x.values, x.shape as never), tf.tensor4d(w.values, w.shape as never), 1, 'same');
  const matmul = tf.matMul(tf.tensor2d(a.values, a.shape as never), tf.tensor2d(b.values, b.shape as never));
  const net = lenet5(1);
  const batch = host([64, 28, 28, 1], 5);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 64 }, (_, i) => (i * 7) % 10),
      'int32',
    ),
    10,
  );
  const { value, grads } = gradients(
    net,
    tf.tensor4d(batch.values, batch.shape as never),
    tf.cast(labels, 'float32') as tf.Tensor2D,
  );
  const out = await read([conv, matmul, value, ...Object.values(grads)]);
  net.dispose();
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

describe('wasm on threads', () => {
  it('runs on the 2 threads asked for and gives the 1-thread results within 1e-5 (conv, matmul, a LeNet-5 step)', async () => {
    const one = await initBackend('wasm', { threads: 1 });
    expect(one.threads).toBe(1);
    const single = await workload();
    const two = await initBackend('wasm', { threads: 2 });
    expect(two.threads).toBe(2);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.backend().constructor.name).toBe('BackendWasm');
    const threaded = await workload();
    expect(threaded.length).toBe(single.length);
    for (const [i, values] of threaded.entries())
      expect(maxAbsDiff(values, single[i] as Float32Array)).toBeLessThan(1e-5);
  });

  it('keeps a started threaded backend when asked for the same count again, and goes back to 1 thread', async () => {
    await initBackend('wasm', { threads: 2 });
    const started = tf.backend();
    const kept = tf.tensor([1, 2, 3]);
    expect((await initBackend('wasm', { threads: 2 })).threads).toBe(2);
    expect(tf.backend()).toBe(started);
    expect(Array.from(await kept.data())).toEqual([1, 2, 3]);
    // As on a cross-origin isolated page, where tfjs' flag says threads are possible.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    expect((await initBackend('wasm', { threads: 1 })).threads).toBe(1);
    expect(tf.backend()).not.toBe(started);
    // On an isolated page tfjs' loader would otherwise take its threaded build for 1 thread.
    expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
  });

  it('refuses a thread count that is not a positive integer, naming it', async () => {
    await expect(initBackend('wasm', { threads: 0 })).rejects.toThrow('threads must be a positive integer, received 0');
    await expect(initBackend('wasm', { threads: 1.5 })).rejects.toThrow('received 1.5');
  });
});

describe('where wasm cannot have threads', () => {
  const node = { node: true, sharedMemory: true };
  const page = { node: false, sharedMemory: true, crossOriginIsolated: true };

  it('Node always can; a page needs cross-origin isolation and wasmPaths', () => {
    expect(noThreadsReason(node, undefined)).toBeUndefined();
    expect(noThreadsReason(page, '/wasm/')).toBeUndefined();
    expect(noThreadsReason({ ...page, crossOriginIsolated: false, sharedMemory: false }, '/wasm/')).toMatch(
      /^the page is not cross-origin isolated/,
    );
    expect(noThreadsReason(page, undefined)).toMatch(/^no wasmPaths/);
    expect(noThreadsReason({ node: true, sharedMemory: false }, undefined)).toBe(
      'this runtime has no SharedArrayBuffer',
    );
  });

  it('caps the count at the 8 workers tfjs starts', async () => {
    expect(await planWasmThreads(64, undefined)).toEqual({ threads: MAX_WASM_THREADS });
    expect(MAX_WASM_THREADS).toBe(8);
  });
});
