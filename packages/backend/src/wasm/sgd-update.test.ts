import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { SGD_UPDATE } from '../fused-kernels.js';
import { initBackend } from '../index.js';
import { simdKernels } from './simd/module.js';

const f = Math.fround;
const SHAPES = [[5, 5, 1, 6], [6], [300, 120], [120]];

/** Seeded float32 values from tfjs' own generator. */
async function values(shape: number[], seed: number): Promise<Float32Array> {
  const t = tf.randomNormal(shape, 0, 1, 'float32', seed);
  const out = (await t.data()) as Float32Array;
  t.dispose();
  return out;
}

/** The oracle: one element's update in float32, operation by operation (plain loops, no kernel). */
function reference(w: number, g: number, v: number, o: { mu: number; lambda: number; nesterov: boolean }) {
  const gd = o.lambda > 0 ? f(g + f(w * f(o.lambda))) : g;
  const vn = f(f(v * f(o.mu)) + gd);
  const dir = o.nesterov ? f(gd + f(vn * f(o.mu))) : vn;
  return { w: f(w - f(dir * f(0.01))), v: vn };
}

/** One fused call on tensors made from the arrays; returns the new weights and velocities as arrays. */
async function fused(ws: Float32Array[], gs: Float32Array[], vs: Float32Array[], attrs: tf.NamedAttrMap) {
  const outs = tf.tidy(() => {
    const inputs: tf.NamedTensorMap = {};
    SHAPES.forEach((s, i) => {
      inputs[`w${i}`] = tf.tensor(ws[i] as Float32Array, s);
      inputs[`g${i}`] = tf.tensor(gs[i] as Float32Array, s);
      if (vs.length > 0) inputs[`v${i}`] = tf.tensor(vs[i] as Float32Array, s);
    });
    return tf.engine().runKernel(SGD_UPDATE, inputs, attrs) as unknown as tf.Tensor[];
  });
  const arrays = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return arrays;
}

describe('wasm fused SGD update', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('gives tfjs momentum optimizer’s weights to the bit on the same backend, 3 steps', async () => {
    const init = await Promise.all(SHAPES.map((s, i) => values(s, 10 + i)));
    const grads = await Promise.all(
      [0, 1, 2].map((step) => Promise.all(SHAPES.map((s, i) => values(s, 100 * step + i)))),
    );
    // Unfused: tfjs' own optimizer, its Multiply/Add kernels on wasm.
    const vars = SHAPES.map((s, i) => tf.variable(tf.tensor(init[i] as Float32Array, s), true, `sgd-test-w${i}`));
    const optimizer = tf.train.momentum(0.01, 0.9);
    for (const g of grads) {
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => {
        named[v.name] = tf.tensor(g[i] as Float32Array, SHAPES[i]);
      });
      optimizer.applyGradients(named as Record<string, tf.Variable>);
      tf.dispose(Object.values(named));
    }
    const expected = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
    optimizer.dispose();
    tf.dispose(vars);
    // Fused: the kernel, fed its own outputs.
    let ws: Float32Array[] = init;
    let vs: Float32Array[] = SHAPES.map((s) => new Float32Array(tf.util.sizeFromShape(s)));
    const before = tf.memory().numTensors;
    for (const g of grads) {
      const out = await fused(ws, g, vs, {
        lr: 0.01,
        momentum: 0.9,
        nesterov: false,
        weightDecay: 0,
        decay: [0, 0, 0, 0],
      });
      ws = out.slice(0, 4);
      vs = out.slice(4);
    }
    expect(tf.memory().numTensors).toBe(before);
    ws.forEach((w, i) => {
      expect(Array.from(w)).toEqual(Array.from(expected[i] as Float32Array));
    });
  });

  it.each([
    { mu: 0.9, lambda: 5e-4, nesterov: false },
    { mu: 0.5, lambda: 1e-2, nesterov: true },
    { mu: 0, lambda: 1e-2, nesterov: false },
  ])('%j equals float32 loops to the bit', async (o) => {
    const ws = await Promise.all(SHAPES.map((s, i) => values(s, 20 + i)));
    const gs = await Promise.all(SHAPES.map((s, i) => values(s, 40 + i)));
    const vs = o.mu > 0 ? await Promise.all(SHAPES.map((s, i) => values(s, 60 + i))) : [];
    const decay = [1, 1, 1, 1];
    const out = await fused(ws, gs, vs, {
      lr: 0.01,
      momentum: o.mu,
      nesterov: o.nesterov,
      weightDecay: o.lambda,
      decay,
    });
    expect(out).toHaveLength(o.mu > 0 ? 8 : 4);
    SHAPES.forEach((_, t) => {
      const w = ws[t] as Float32Array;
      const expectedW = new Float32Array(w.length);
      const expectedV = new Float32Array(w.length);
      for (let i = 0; i < w.length; i++) {
        const r = reference(w[i] as number, gs[t]?.[i] as number, vs[t]?.[i] ?? 0, o);
        expectedW[i] = r.w;
        expectedV[i] = r.v;
      }
      expect(Array.from(out[t] as Float32Array)).toEqual(Array.from(expectedW));
      if (o.mu > 0) expect(Array.from(out[4 + t] as Float32Array)).toEqual(Array.from(expectedV));
    });
  });

  it.each([
    { mu: 0.9, lambda: 5e-4, nesterov: false },
    { mu: 0.5, lambda: 1e-2, nesterov: true },
    { mu: 0, lambda: 0, nesterov: false },
  ])('%j: the SIMD kernel and the stock route (Multiply, Add, Sub) agree to the bit', async (o) => {
    const ws = await Promise.all(SHAPES.map((s, i) => values(s, 70 + i)));
    const gs = await Promise.all(SHAPES.map((s, i) => values(s, 80 + i)));
    const vs = o.mu > 0 ? await Promise.all(SHAPES.map((s, i) => values(s, 90 + i))) : [];
    const attrs = { lr: 0.01, momentum: o.mu, nesterov: o.nesterov, weightDecay: o.lambda, decay: [1, 0, 1, 0] };
    const route = async (simd: boolean) => {
      const saved = process.env.CONVKIT_WASM_SIMD;
      if (!simd) process.env.CONVKIT_WASM_SIMD = '0';
      try {
        expect(simdKernels(tf.backend() as never) !== undefined).toBe(simd);
        return await fused(ws, gs, vs, attrs);
      } finally {
        if (saved === undefined) delete process.env.CONVKIT_WASM_SIMD;
        else process.env.CONVKIT_WASM_SIMD = saved;
      }
    };
    if (process.env.CONVKIT_WASM_SIMD === '0') return; // the run turned the SIMD kernels off
    const [bySimd, byStock] = [await route(true), await route(false)];
    expect(bySimd.map((a) => Array.from(a))).toEqual(byStock.map((a) => Array.from(a)));
  });

  it('names the input that is missing or not float32', () => {
    const w = tf.zeros([2]);
    const gi = tf.zeros([2], 'int32');
    const attrs = { lr: 0.1, momentum: 0, nesterov: false, weightDecay: 0, decay: [0] };
    expect(() => tf.engine().runKernel(SGD_UPDATE, { w0: w, g0: gi }, attrs)).toThrow(
      'input g0 must be a float32 tensor, received int32',
    );
    expect(() => tf.engine().runKernel(SGD_UPDATE, { w0: w, g0: w }, { ...attrs, decay: [0, 0] })).toThrow(
      'decay has 2 flags',
    );
    tf.dispose([w, gi]);
  });
});
