import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { seeded } from '../../test/wasm-oracles.js';
import { RELU_GRAD } from '../gradients/relu.js';
import { initBackend } from '../index.js';
import { simdKernels } from './simd/module.js';

/** x with the values where the two routes could part: zeros of both signs, NaN, infinities. */
const SPECIAL_X = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40, 3, -3];
const SPECIAL_DY = [-2, -2, 5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, -1, -0, 2];

/** The oracle: tfjs' own formula of ReLU's gradient, dy · cast(step(x)), on tfjs' stock cpu kernels. */
async function tfjsFormula(dy: Float32Array, x: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend('cpu');
  const out = tf.tidy(() => tf.mul(tf.tensor(dy, shape), tf.cast(tf.step(tf.tensor(x, shape)), 'float32')));
  const values = (await out.data()) as Float32Array;
  out.dispose();
  return values;
}

/** The gradient of sum(relu(x) · w) on a backend: dy = w reaches the ReLU through its registered gradient. */
async function gradientOn(backend: string, x: Float32Array, w: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend(backend);
  const xt = tf.tensor(x, shape);
  const wt = tf.tensor(w, shape);
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), wt)))(xt);
  const values = (await g.data()) as Float32Array;
  tf.dispose([xt, wt, g]);
  return values;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
/** Bits, with every NaN as one value (NaN payloads are not part of tfjs' results). */
const canonical = (a: Float32Array) => bits(a.map((v) => (Number.isNaN(v) ? Number.NaN : v)));

describe('wasm ReLU gradient (ConvkitReluGrad)', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('equals dy·step(x) to the bit, signed zeros, NaN and infinities included', async () => {
    const x = Float32Array.from(SPECIAL_X);
    const dy = Float32Array.from(SPECIAL_DY);
    await tf.setBackend('wasm');
    const out = tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dy), x: tf.tensor(x) }) as tf.Tensor;
    const values = (await out.data()) as Float32Array;
    tf.dispose(out);
    expect(canonical(values)).toEqual(canonical(await tfjsFormula(dy, x, [SPECIAL_X.length])));
  });

  it('is what tf.grad of relu gives on wasm, equal to the cpu backend on a LeNet-sized activation', async () => {
    const shape = [8, 28, 28, 6];
    const size = tf.util.sizeFromShape(shape);
    const x = seeded(size, 3);
    const w = seeded(size, 4);
    const before = tf.memory().numTensors;
    const onWasm = await gradientOn('wasm', x, w, shape);
    expect(tf.memory().numTensors).toBe(before);
    expect(bits(onWasm)).toEqual(bits(await gradientOn('cpu', x, w, shape)));
    // A tape that used the fused kernel: Step does not run on wasm.
    await tf.setBackend('wasm');
    const xt = tf.tensor(x, shape);
    const profile = await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(tf.relu(t)))(xt));
    xt.dispose();
    const names = profile.kernels.map((k) => k.name);
    expect(names).toContain(RELU_GRAD);
    expect(names).not.toContain('Step');
  });

  it('has a second derivative: d/dx of the gradient is zero, the gradient is linear in dy', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([-1, 2, 0.5, -3]);
    const dy = tf.tensor([1, 2, 3, 4]);
    const [gDy, gX] = tf.grads((d: tf.Tensor, t: tf.Tensor) =>
      tf.sum(tf.mul(tf.engine().runKernel(RELU_GRAD, { dy: d, x: t }) as tf.Tensor, tf.tensor([1, 1, 1, 1]))),
    )([dy, x]);
    expect(Array.from(await (gDy as tf.Tensor).data())).toEqual([0, 1, 1, 0]);
    expect(Array.from(await (gX as tf.Tensor).data())).toEqual([0, 0, 0, 0]);
    tf.dispose([x, dy, gDy as tf.Tensor, gX as tf.Tensor]);
  });

  it('gives the same bits by the SIMD kernel as by Step then Multiply, specials and a tail of 3 included', async () => {
    const x = Float32Array.from({ length: 4 * 9 + 3 }, (_, i) => SPECIAL_X[i % SPECIAL_X.length] as number);
    const dy = Float32Array.from({ length: x.length }, (_, i) => SPECIAL_DY[(i * 5) % SPECIAL_DY.length] as number);
    await tf.setBackend('wasm');
    const route = async (simd: boolean) => {
      const saved = process.env.CONVKIT_WASM_SIMD;
      if (!simd) process.env.CONVKIT_WASM_SIMD = '0';
      try {
        expect(simdKernels(tf.backend() as never) !== undefined).toBe(simd);
        const out = tf.engine().runKernel(RELU_GRAD, { dy: tf.tensor(dy), x: tf.tensor(x) }) as tf.Tensor;
        const values = (await out.data()) as Float32Array;
        out.dispose();
        return values;
      } finally {
        if (saved === undefined) delete process.env.CONVKIT_WASM_SIMD;
        else process.env.CONVKIT_WASM_SIMD = saved;
      }
    };
    const expected = await tfjsFormula(dy, x, [x.length]);
    await tf.setBackend('wasm');
    expect(canonical(await route(false))).toEqual(canonical(expected));
    if (process.env.CONVKIT_WASM_SIMD !== '0') expect(canonical(await route(true))).toEqual(canonical(expected));
  });

  it('refuses dy and x of different shapes, saying what it received', async () => {
    await tf.setBackend('wasm');
    const [dy, x] = [tf.zeros([2, 3]), tf.zeros([3, 2])];
    expect(() => tf.engine().runKernel(RELU_GRAD, { dy, x })).toThrow('received float32 [2,3] and float32 [3,2]');
    tf.dispose([dy, x]);
  });
});
