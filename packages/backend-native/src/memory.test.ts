import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { startNative } from '../test/harness.js';
import { BufferPool } from './memory.js';

describe('BufferPool', () => {
  it('reuses an array once its last holder released it, with a new version', () => {
    const pool = new BufferPool();
    const a = pool.alloc(8);
    pool.stored(a);
    pool.stored(a.subarray(2, 4)); // a view kept by another tensor
    pool.released(a);
    expect(pool.alloc(8)).not.toBe(a);
    pool.released(a.subarray(2, 4));
    const again = pool.alloc(8);
    expect(again).toBe(a);
    expect(pool.version(again)).toBe(2);
    expect(pool.version(new Float32Array(8))).toBe(0);
  });

  it('never reuses arrays that left through a read, or that it did not allocate', () => {
    const pool = new BufferPool();
    const read = pool.alloc(4);
    pool.stored(read);
    pool.escape(read);
    pool.released(read);
    const mine = new Float32Array(4);
    pool.stored(mine);
    pool.released(mine);
    expect(pool.bytes).toBe(0);
    expect([read, mine]).not.toContain(pool.alloc(4));
  });

  it('keeps at most its limit', () => {
    const pool = new BufferPool(64);
    const arrays = [pool.alloc(10), pool.alloc(10)];
    for (const a of arrays) {
      pool.stored(a);
      pool.released(a);
    }
    expect(pool.bytes).toBe(40);
  });
});

const ready = await startNative();

describe.skipIf(!ready)('native backend memory reuse', () => {
  it('values read with dataSync stay intact after the tensor is disposed and others are computed', () => {
    const x = tf.randomNormal([1000], 0, 1, 'float32', 1);
    const y = tf.relu(x);
    const kept = y.dataSync();
    const copy = Float32Array.from(kept);
    y.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.relu(tf.neg(x)));
    expect(kept).toEqual(copy);
    x.dispose();
  });

  it('a slice (a view on a native output) survives the disposal of the tensor it views', () => {
    const x = tf.randomNormal([64, 100], 0, 1, 'float32', 2);
    const y = tf.relu(x);
    const row = tf.slice(y, [3, 0], [1, 100]);
    const expected = Array.from(tf.relu(tf.slice(x, [3, 0], [1, 100])).dataSync());
    y.dispose();
    for (let i = 0; i < 5; i++) tf.dispose(tf.relu(tf.neg(x)));
    expect(Array.from(row.dataSync())).toEqual(expected);
    tf.dispose([x, row]);
  });

  it('a filter array reused for new values never hits the blocked copy of the old ones', () => {
    const x = tf.ones([1, 5, 5, 2]) as tf.Tensor4D;
    const results: number[] = [];
    for (let step = 1; step <= 4; step++) {
      // The filter is a native output (mul), disposed each step: its array comes back from the pool.
      const w = tf.mul(tf.ones([3, 3, 2, 1]), step) as tf.Tensor4D;
      results.push(tf.conv2d(x, w, 1, 'valid').dataSync()[0] as number);
      w.dispose();
    }
    expect(results).toEqual([18, 36, 54, 72]);
    x.dispose();
  });
});
