import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { startNative } from '../../test/harness.js';
import { ADAM_UPDATE, SGD_UPDATE } from './optimizer.js';

const ready = await startNative();
const f = Math.fround;

/** Seeded float32 values (a weight, a gradient or a state), from tfjs' own generator. */
function values(shape: number[], seed: number): Float32Array {
  return tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);
}

const SHAPES = [[5, 5, 1, 6], [6], [300, 120], [120]];

/** The update of one element in float32, operation by operation (the oracle: plain loops, no kernel). */
function sgdReference(
  w: number,
  g: number,
  v: number,
  o: { lr: number; mu: number; lambda: number; nesterov: boolean; decay: boolean },
) {
  const gd = o.decay ? f(g + f(w * f(o.lambda))) : g;
  const vn = f(f(v * f(o.mu)) + gd);
  const dir = o.nesterov ? f(gd + f(vn * f(o.mu))) : vn;
  return { w: f(w - f(dir * f(o.lr))), v: vn };
}

function adamReference(w: number, g: number, m: number, v: number, step: number) {
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.001];
  const mn = f(f(m * f(b1)) + f(g * f(1 - b1)));
  const vn = f(f(v * f(b2)) + f(f(g * g) * f(1 - b2)));
  const mHat = f(mn / f(1 - b1 ** step));
  const vHat = f(vn / f(1 - b2 ** step));
  return { w: f(w - f(f(mHat / f(f(Math.sqrt(vHat)) + f(eps))) * f(lr))), m: mn, v: vn };
}

describe.skipIf(!ready)('native fused optimizer updates', () => {
  it.each([
    { mu: 0.9, lambda: 0, nesterov: false },
    { mu: 0.9, lambda: 5e-4, nesterov: false },
    { mu: 0.5, lambda: 1e-2, nesterov: true },
  ])('SGD %j equals float32 loops to the bit, 3 steps, new tensors only', async ({ mu, lambda, nesterov }) => {
    const before = tf.memory().numTensors;
    const ws = SHAPES.map((s, i) => values(s, 10 + i));
    const vs = SHAPES.map((s) => new Float32Array(s.reduce((a, b) => a * b, 1)));
    const decay = SHAPES.map((s) => (lambda > 0 && s.length > 1 ? 1 : 0));
    for (let step = 0; step < 3; step++) {
      const gs = SHAPES.map((s, i) => values(s, 100 * step + i));
      const outs = tf.tidy(() => {
        const inputs: tf.NamedTensorMap = {};
        SHAPES.forEach((s, i) => {
          Object.assign(inputs, {
            [`w${i}`]: tf.tensor(ws[i] as Float32Array, s),
            [`g${i}`]: tf.tensor(gs[i] as Float32Array, s),
            [`v${i}`]: tf.tensor(vs[i] as Float32Array, s),
          });
        });
        const attrs = { lr: 0.01, momentum: mu, nesterov, weightDecay: lambda, decay };
        return tf.engine().runKernel(SGD_UPDATE, inputs, attrs) as unknown as tf.Tensor[];
      });
      expect(outs).toHaveLength(2 * SHAPES.length);
      for (let i = 0; i < SHAPES.length; i++) {
        const [w, g, v] = [ws[i], gs[i], vs[i]] as Float32Array[];
        const expected = Array.from(w as Float32Array, (wk, k) =>
          sgdReference(wk, g?.[k] as number, v?.[k] as number, {
            lr: 0.01,
            mu,
            lambda,
            nesterov,
            decay: decay[i] === 1,
          }),
        );
        const newW = (await outs[i]?.data()) as Float32Array;
        const newV = (await outs[SHAPES.length + i]?.data()) as Float32Array;
        expect(Array.from(newW)).toEqual(expected.map((e) => e.w));
        expect(Array.from(newV)).toEqual(expected.map((e) => e.v));
        ws[i] = newW.slice();
        vs[i] = newV.slice();
      }
      tf.dispose(outs);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('SGD without momentum takes no velocities and returns only the weights', () => {
    const out = tf.tidy(() => {
      const inputs = { w0: tf.tensor1d([1, 2]), g0: tf.tensor1d([0.5, -1]) };
      const attrs = { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0, decay: [0] };
      return (tf.engine().runKernel(SGD_UPDATE, inputs, attrs) as unknown as tf.Tensor[]).map((t) => t.dataSync());
    });
    expect(out).toEqual([Float32Array.from([f(1 - f(0.5 * f(0.1))), f(2 - f(-1 * f(0.1)))])]);
  });

  it('Adam equals float32 loops to the bit over 3 steps', async () => {
    let state: Record<'w' | 'm' | 'v', Float32Array> = {
      w: values([7, 9], 1),
      m: new Float32Array(63),
      v: new Float32Array(63),
    };
    for (let step = 1; step <= 3; step++) {
      const { w, m, v } = state;
      const g = values([7, 9], step + 20);
      const outs = tf.tidy(() => {
        const inputs = {
          w0: tf.tensor(w, [7, 9]),
          g0: tf.tensor(g, [7, 9]),
          m0: tf.tensor(m, [7, 9]),
          v0: tf.tensor(v, [7, 9]),
        };
        const [beta1, beta2] = [0.9, 0.999];
        const attrs = {
          lr: 0.001,
          beta1,
          beta2,
          epsilon: 1e-8,
          weightDecay: 0,
          decay: [0],
          bias1: 1 - beta1 ** step,
          bias2: 1 - beta2 ** step,
        };
        return (tf.engine().runKernel(ADAM_UPDATE, inputs, attrs) as unknown as tf.Tensor[]).map(
          (t) => t.dataSync() as Float32Array,
        );
      });
      const expected = Array.from(w, (wk, k) =>
        adamReference(wk, g[k] as number, m[k] as number, v[k] as number, step),
      );
      expect(Array.from(outs[0] as Float32Array)).toEqual(expected.map((e) => e.w));
      expect(Array.from(outs[1] as Float32Array)).toEqual(expected.map((e) => e.m));
      expect(Array.from(outs[2] as Float32Array)).toEqual(expected.map((e) => e.v));
      state = { w: outs[0] as Float32Array, m: outs[1] as Float32Array, v: outs[2] as Float32Array };
    }
  });

  it('names the input that is not float32', () => {
    const call = () =>
      tf.tidy(() =>
        tf
          .engine()
          .runKernel(
            SGD_UPDATE,
            { w0: tf.tensor1d([1], 'int32'), g0: tf.tensor1d([1]) },
            { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0, decay: [0] },
          ),
      );
    expect(call).toThrow(/input w0 must be a float32 tensor, received int32/);
  });
});
