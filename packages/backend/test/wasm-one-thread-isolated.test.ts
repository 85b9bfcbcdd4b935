import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../src/index.js';

// Its own file, so that this is the process's first wasm start (tfjs' own registration still current).
describe('wasm on 1 thread as the first start on a cross-origin isolated page', () => {
  it('takes the single-threaded build, not tfjs’ threaded one', async () => {
    await import('@tensorflow/tfjs-backend-wasm'); // registers the flag
    // What tfjs' flag says on an isolated page, where SharedArrayBuffer exists.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    const info = await initBackend('wasm', { threads: 1 });
    expect(info.threads).toBe(1);
    expect(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')).toBe(false);
    const x = tf.tensor1d([1, 2]);
    const heap = (tf.backend() as BackendWasm).typedArrayFromHeap(x).buffer;
    expect(heap instanceof SharedArrayBuffer).toBe(false);
    expect(Array.from(await tf.add(x, tf.tensor1d([3, 4])).data())).toEqual([4, 6]);
  });
});
