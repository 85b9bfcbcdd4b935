import { RELU_GRAD } from '@convkit/backend/adapter';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { startNative } from '../../test/harness.js';

const ready = await startNative();

/** Bits of each value, every NaN as one value (NaN payloads are not part of tfjs' results). */
function bits(values: Float32Array): number[] {
  const canonical = values.map((v) => (Number.isNaN(v) ? Number.NaN : v));
  return Array.from(new Uint32Array(canonical.buffer));
}

/** Runs `f` on a backend and reads its result. */
async function on(backend: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const out = f();
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

describe.skipIf(!ready)('native ReLU gradient (ConvkitReluGrad)', () => {
  it.each([
    {
      name: 'signed zeros, NaN, infinities',
      x: [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40, 3, -3],
      dy: [-2, -2, 5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -1, -0, 2],
    },
    // Past the addon's parallel grain (2^15 elements): the threaded loop.
    { name: '100,000 seeded values', x: 100_000, dy: 100_001 },
  ])('equals tfjs’ dy·cast(step(x)) on stock cpu to the bit: $name', async ({ x, dy }) => {
    const make = (spec: number[] | number, like?: number) =>
      typeof spec === 'number'
        ? () => tf.randomNormal([like ?? 100_000], 0, 1, 'float32', spec)
        : () => tf.tensor(Float32Array.from(spec));
    const xs = await on('cpu', make(x));
    const dys = await on('cpu', make(dy, xs.length));
    const expected = await on('cpu', () => tf.mul(tf.tensor(dys), tf.cast(tf.step(tf.tensor(xs)), 'float32')));
    const before = tf.memory().numTensors;
    const actual = await on('native', () =>
      tf.tidy(() => tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dys), x: tf.tensor(xs) }) as tf.Tensor),
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(bits(actual)).toEqual(bits(expected));
  });

  it('refuses another dtype or mismatched shapes, saying what it received', async () => {
    await tf.setBackend('native');
    const [dy, x, xi] = [tf.zeros([2, 3]), tf.zeros([3, 2]), tf.zeros([2, 3], 'int32')];
    expect(() => tf.engine().runKernel(RELU_GRAD, { dy, x })).toThrow('received float32 [2,3] and float32 [3,2]');
    expect(() => tf.engine().runKernel(RELU_GRAD, { dy, x: xi })).toThrow('float32 [2,3] and int32 [2,3]');
    tf.dispose([dy, x, xi]);
  });
});
