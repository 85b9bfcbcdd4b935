import { initBackend } from '@convkit/backend';
import { Conv2d, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { poolingInvariance, shiftEquivariance } from './equivariance.js';
import { FilterEvolution } from './evolution.js';
import { featureMaps } from './feature-maps.js';
import { filterGrid } from './filters.js';
import { readValues } from './tensor-data.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Makes every synchronous read throw: on WebGPU such a read stalls the page (issue 19). */
function forbidSyncReads() {
  const refuse = (name: string) => () => {
    throw new Error(`${name} called: viz must read tensors with await t.data()`);
  };
  vi.spyOn(tf.Tensor.prototype, 'dataSync').mockImplementation(refuse('dataSync'));
  vi.spyOn(tf.Tensor.prototype, 'arraySync').mockImplementation(refuse('arraySync'));
  vi.spyOn(tf.Tensor.prototype, 'bufferSync').mockImplementation(refuse('bufferSync'));
}

afterEach(() => {
  vi.restoreAllMocks();
});

const KERNEL = { shape: [3, 3, 1, 2], data: Array.from({ length: 18 }, (_, i) => Math.cos(i)) };
const MAPS = { shape: [1, 4, 4, 3], data: Array.from({ length: 48 }, (_, i) => Math.sin(i / 3)) };

describe('reading tensors asynchronously', () => {
  it('reads a tensor to the same values as its plain data, and checks the shape before reading', async () => {
    forbidSyncReads();
    const t = tf.tensor4d(KERNEL.data, [3, 3, 1, 2]);
    const read = await readValues(t, 4, 'filterGrid', 'the kernel');
    expect(read.shape).toEqual([3, 3, 1, 2]);
    expect([...read.data]).toEqual([...Float32Array.from(KERNEL.data)]);
    const data = vi.spyOn(t, 'data');
    await expect(readValues(t, 2, 'filterGrid', 'the kernel')).rejects.toThrow(
      /filterGrid: the kernel must have rank 2, received shape \[3, 3, 1, 2\]/,
    );
    expect(data).not.toHaveBeenCalled();
    t.dispose();
  });

  it('draws filters and feature maps from tensors exactly as from their values, with no sync read', async () => {
    forbidSyncReads();
    const kernel = tf.tensor4d(KERNEL.data, [3, 3, 1, 2]);
    const maps = tf.tensor4d(MAPS.data, [1, 4, 4, 3]);
    const fromTensor = await filterGrid(kernel, { scale: 2 });
    expect(fromTensor).toEqual(await filterGrid(KERNEL, { scale: 2 }));
    expect(await featureMaps(maps, { columns: 3 })).toEqual(await featureMaps(MAPS, { columns: 3 }));
    tf.dispose([kernel, maps]);
  });

  it('keeps an evolution snapshot of a variable as it was when recorded, with no sync read', async () => {
    forbidSyncReads();
    const v = tf.variable(tf.tensor4d(KERNEL.data, [3, 3, 1, 2]));
    const evolution = new FilterEvolution({ spacing: 0 });
    await evolution.record('before', v);
    v.assign(tf.neg(v));
    await evolution.record('after', v);
    const plain = new FilterEvolution({ spacing: 0 });
    await plain.record('before', KERNEL);
    await plain.record('after', { shape: KERNEL.shape, data: KERNEL.data.map((x) => -x) });
    expect(evolution.frames()).toEqual(plain.frames());
    v.dispose();
  });

  it('measures equivariance and invariance from a tensor input without sync reads or leaked tensors', async () => {
    const model = sequential(
      [new Conv2d({ filters: 2, kernel: 3, name: 'conv' }), new MaxPool2d({ kernel: 2, name: 'pool' })],
      { name: 'net' },
    ).build([10, 10, 1], { seed: 3 });
    const plain = { shape: [1, 10, 10, 1], data: Array.from({ length: 100 }, (_, i) => Math.abs(Math.sin(i))) };
    const x = tf.tensor4d(plain.data, [1, 10, 10, 1]);
    forbidSyncReads();
    const before = tf.memory().numTensors;
    const conv = await shiftEquivariance(model, x, { layer: 'conv', shift: 1 });
    const pool = await poolingInvariance(model, x, { layer: 'pool', shifts: [1] });
    expect(tf.memory().numTensors).toBe(before);
    // A stride-1 convolution commutes with any shift; the plain values give the same answers.
    expect(conv.maxAbsError).toBe(0);
    expect(conv).toEqual(await shiftEquivariance(model, plain, { layer: 'conv', shift: 1 }));
    expect(pool).toEqual(await poolingInvariance(model, plain, { layer: 'pool', shifts: [1] }));
    tf.dispose(x);
    model.dispose();
  });
});
