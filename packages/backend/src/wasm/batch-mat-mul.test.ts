import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { finiteDifference, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';

function counts(): [number, number] {
  return [tf.memory().numTensors, tf.engine().backend.numDataIds()];
}

describe('wasm BatchMatMul', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it('matches tfjs-cpu for every transpose combination, both formulations, batched and broadcast', async () => {
    await tf.setBackend('wasm');
    const before = counts();
    // [M, K, N]: shapes where transposing the operands is cheaper, and where transposing the result is.
    const sizes: [number, number, number][] = [
      [64, 400, 120],
      [3, 50, 70],
      [70, 3, 5],
      [1, 9, 4],
    ];
    for (const [m, k, n] of sizes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const a = host(transposeA ? [k, m] : [m, k], m + k);
          const b = host(transposeB ? [n, k] : [k, n], k + n);
          const attrs = { transposeA, transposeB };
          const cpu = await runOn('cpu', 'BatchMatMul', { a, b }, attrs);
          const wasm = await runOn('wasm', 'BatchMatMul', { a, b }, attrs);
          const label = `${m}×${k}×${n} tA=${transposeA} tB=${transposeB}`;
          expect(wasm.shape, label).toEqual([m, n]);
          expect(maxRelativeError(wasm.values, cpu.values), label).toBeLessThan(1e-5);
        }
      }
    }
    for (const [aShape, bShape, transposeA, transposeB] of [
      [[3, 4, 5], [3, 5, 2], false, false],
      [[2, 5, 4], [1, 5, 3], true, false],
      [[2, 3, 4, 6], [6, 5], false, false],
      [[1, 4, 6], [1, 5, 6], false, true],
    ] as [number[], number[], boolean, boolean][]) {
      const a = host(aShape, 5);
      const b = host(bShape, 6);
      const cpu = await runOn('cpu', 'BatchMatMul', { a, b }, { transposeA, transposeB });
      const wasm = await runOn('wasm', 'BatchMatMul', { a, b }, { transposeA, transposeB });
      expect(wasm.shape).toEqual(cpu.shape);
      expect(maxRelativeError(wasm.values, cpu.values)).toBeLessThan(1e-5);
    }
    await tf.setBackend('wasm');
    expect(counts()).toEqual(before);
  });

  it('gives a dense layer the gradients of finite differences', async () => {
    // L = Σ dy ⊙ (x·W): ∂L/∂W = xᵀ·dy and ∂L/∂x = dy·Wᵀ, the two transposed products.
    const [m, k, n] = [4, 6, 3];
    const x = host([m, k], 1);
    const w = host([k, n], 2);
    const dy = seeded(m * n, 3);
    const loss = (xs: ArrayLike<number>, ws: ArrayLike<number>) => {
      let total = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let t = 0; t < k; t++) dot += (xs[i * k + t] ?? 0) * (ws[t * n + j] ?? 0);
          total += dot * (dy[i * n + j] ?? 0);
        }
      }
      return total;
    };
    await tf.setBackend('wasm');
    const [dx, dw] = tf.tidy(() =>
      tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.matMul(a, b), tf.tensor(dy, [m, n]))))([
        tf.tensor(x.values, x.shape),
        tf.tensor(w.values, w.shape),
      ]),
    );
    const expectDx = finiteDifference(Float64Array.from(x.values), (p) => loss(p, w.values));
    const expectDw = finiteDifference(Float64Array.from(w.values), (p) => loss(x.values, p));
    expect(maxRelativeError((await dx?.data()) ?? [], expectDx)).toBeLessThan(1e-4);
    expect(maxRelativeError((await dw?.data()) ?? [], expectDw)).toBeLessThan(1e-4);
    tf.dispose([dx, dw].filter((t): t is tf.Tensor => t !== undefined));
  });
});
