import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HostTensor, host, maxRelativeError, runOn, seeded } from '../../test/wasm-oracles.js';
import { initBackend } from '../index.js';
import { SIMD_MAT_MUL_MAX_PACKED, SIMD_MAT_MUL_MAX_WORK, simdMatMul } from './batch-mat-mul.js';
import { heapOffset, simdKernels } from './simd/module.js';

/** Set when the whole run turned the SIMD kernels off: then only the XNNPACK routes are there to test. */
const runWithoutSimd = process.env.CONVKIT_WASM_SIMD === '0';

afterEach(() => {
  if (runWithoutSimd) process.env.CONVKIT_WASM_SIMD = '0';
  else delete process.env.CONVKIT_WASM_SIMD;
});

interface Product {
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** op(A)·op(B) (+ bias, then max(0, ·)) in float64, from the stored layouts. */
function oracle(p: Product, a: HostTensor, b: HostTensor, bias?: HostTensor, relu = false): Float64Array {
  const out = new Float64Array(p.m * p.n);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < p.n; j++) {
      let sum = bias ? (bias.values[j] as number) : 0;
      for (let t = 0; t < p.k; t++) {
        const x = a.values[p.transposeA ? t * p.m + i : i * p.k + t] as number;
        const y = b.values[p.transposeB ? j * p.k + t : t * p.n + j] as number;
        sum += x * y;
      }
      out[i * p.n + j] = relu ? Math.max(0, sum) : sum;
    }
  }
  return out;
}

/** Random products: sizes 1…37 (most not multiples of 4 or 8), every transpose combination. */
function products(count: number, seed: number): Product[] {
  const random = seeded(3 * count, seed);
  return Array.from({ length: count }, (_, i) => {
    const size = (j: number) => 1 + (Math.floor(Math.abs(random[3 * i + j] as number) * 1e3) % 37);
    return { m: size(0), k: size(1), n: size(2), transposeA: (i & 1) === 1, transposeB: (i & 2) === 2 };
  });
}

function operands(p: Product, seed: number) {
  const a = host(p.transposeA ? [p.k, p.m] : [p.m, p.k], seed);
  const b = host(p.transposeB ? [p.n, p.k] : [p.k, p.n], seed + 1);
  return { a, b, bias: host([p.n], seed + 2) };
}

const LENET: Product[] = [
  { m: 64, k: 400, n: 120, transposeA: false, transposeB: false },
  { m: 64, k: 120, n: 400, transposeA: false, transposeB: true },
  { m: 400, k: 64, n: 120, transposeA: true, transposeB: false },
  { m: 84, k: 64, n: 10, transposeA: true, transposeB: false },
  { m: 64, k: 10, n: 84, transposeA: false, transposeB: true },
];

describe('wasm SIMD GEMM (BatchMatMul and _FusedMatMul)', () => {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });

  it.skipIf(runWithoutSimd)('runs where the SIMD kernels are prepared', () => {
    expect(simdKernels(tf.engine().findBackend('wasm') as BackendWasm)).toBeDefined();
  });

  it('BatchMatMul matches a float64 oracle and tfjs-cpu on random shapes and LeNet-5’s', async () => {
    for (const [i, p] of [...products(48, 11), ...LENET].entries()) {
      const { a, b } = operands(p, 100 + i);
      const attrs = { transposeA: p.transposeA, transposeB: p.transposeB };
      const wasm = await runOn('wasm', 'BatchMatMul', { a, b }, attrs);
      const cpu = await runOn('cpu', 'BatchMatMul', { a, b }, attrs);
      const label = JSON.stringify(p);
      expect(wasm.shape, label).toEqual([p.m, p.n]);
      expect(maxRelativeError(wasm.values, oracle(p, a, b)), label).toBeLessThan(1e-5);
      expect(maxRelativeError(wasm.values, cpu.values), label).toBeLessThan(1e-5);
    }
  });

  // On every route: with CONVKIT_WASM_SIMD=0 the stock kernel takes these, given B untransposed
  // when there is a bias (it adds the bias wrongly to a transposed B).
  it('_FusedMatMul with and without bias, linear and ReLU, matches the oracle and tfjs-cpu', async () => {
    for (const [i, p] of [...products(32, 12), ...LENET].entries()) {
      const { a, b, bias } = operands(p, 200 + i);
      const activation = i % 3 === 0 ? 'linear' : 'relu';
      const withBias = i % 4 !== 1;
      // The op hands the kernel rank-3 operands (the stock kernel needs them).
      const [a3, b3] = [
        { ...a, shape: [1, ...a.shape] },
        { ...b, shape: [1, ...b.shape] },
      ];
      const inputs = withBias ? { a: a3, b: b3, bias } : { a: a3, b: b3 };
      const attrs = { transposeA: p.transposeA, transposeB: p.transposeB, activation, leakyreluAlpha: 0 };
      const wasm = await runOn('wasm', '_FusedMatMul', inputs, attrs);
      const cpu = await runOn('cpu', '_FusedMatMul', inputs, attrs);
      const expected = oracle(p, a, b, withBias ? bias : undefined, activation === 'relu');
      const label = `${JSON.stringify(p)} ${activation} bias=${withBias}`;
      expect(maxRelativeError(wasm.values, expected), label).toBeLessThan(1e-5);
      expect(maxRelativeError(wasm.values, cpu.values), label).toBeLessThan(1e-5);
    }
  });

  // The stock kernel's ReLU turns NaN into 0: this is the SIMD route's.
  it.skipIf(runWithoutSimd)(
    'ReLU keeps NaN and gives +0 for −0, as tfjs-cpu does; other activations go to the stock kernel',
    async () => {
      const a = { values: Float32Array.from([NaN, 1, -0, 0, 2, 3]), shape: [1, 3, 2] };
      const b = { values: Float32Array.from([1, -1, 0, 1, 1, 0]), shape: [1, 2, 3] };
      for (const activation of ['relu', 'linear', 'elu']) {
        const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 };
        const wasm = await runOn('wasm', '_FusedMatMul', { a, b }, attrs);
        const cpu = await runOn('cpu', '_FusedMatMul', { a, b }, attrs);
        expect(
          [...wasm.values].map((v) => (Object.is(v, -0) ? '-0' : v)),
          activation,
        ).toEqual([...cpu.values].map((v) => (Object.is(v, -0) ? '-0' : v)));
      }
    },
  );

  it('hands the stock kernel a transposed B with a bias as product, bias and activation (elu, leakyrelu, prelu, relu6, batched)', async () => {
    const cases = [
      [1, 'elu'],
      [1, 'leakyrelu'],
      [2, 'relu'],
      [3, 'linear'],
      [2, 'prelu'],
      [1, 'relu6'],
    ] as const;
    for (const [i, [batch, activation]] of cases.entries()) {
      const a = host([batch, 5, 7], 400 + i);
      const b = host([1, 6, 7], 410 + i);
      const bias = host([6], 420 + i);
      const attrs = { transposeA: false, transposeB: true, activation, leakyreluAlpha: 0.25 };
      const inputs = activation === 'prelu' ? { a, b, bias, preluActivationWeights: host([6], 430) } : { a, b, bias };
      const wasm = await runOn('wasm', '_FusedMatMul', inputs, attrs);
      const cpu = await runOn('cpu', '_FusedMatMul', inputs, attrs);
      expect(wasm.shape, activation).toEqual([batch, 5, 6]);
      expect(maxRelativeError(wasm.values, cpu.values), activation).toBeLessThan(1e-5);
    }
  });

  it('leaves batched and large products, and large weights, to XNNPACK', () => {
    const backend = tf.engine().findBackend('wasm') as BackendWasm;
    const info = (shape: number[]) => ({ dataId: {}, shape, dtype: 'float32' as const });
    const big = { a: info([32, 9216]), b: info([4096, 9216]), transposeA: false, transposeB: true };
    expect(32 * 9216 * 4096).toBeGreaterThan(SIMD_MAT_MUL_MAX_WORK);
    expect(simdMatMul(backend, big)).toBeUndefined();
    const wide = { a: info([1, 1024]), b: info([1024, 1024]), transposeA: false, transposeB: false };
    expect(1024 * 1024).toBeGreaterThan(SIMD_MAT_MUL_MAX_PACKED);
    expect(simdMatMul(backend, wide)).toBeUndefined();
    const batched = { a: info([2, 4, 5]), b: info([2, 5, 3]), transposeA: false, transposeB: false };
    expect(simdMatMul(backend, batched)).toBeUndefined();
  });

  it.skipIf(runWithoutSimd)('writes C and nothing around it, and leaves A, B and the bias as they were', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const simd = simdKernels(backend);
    if (!simd) throw new Error('no SIMD kernels on the wasm backend');
    for (const [i, p] of [...products(8, 13), LENET[2] as Product].entries()) {
      const { a, b, bias } = operands(p, 300 + i);
      const [ta, tb, tbias] = [tf.tensor(a.values), tf.tensor(b.values), tf.tensor(bias.values)];
      const guard = 16;
      const size = p.m * p.n;
      const arena = tf.fill([size + 2 * guard], 7.5);
      const scratch = simd.scratch(64 + (p.k + 1) * Math.ceil(p.n / 8) * 32);
      const strides = [...(p.transposeA ? [1, p.m] : [p.k, 1]), ...(p.transposeB ? [1, p.k] : [p.n, 1])];
      const [aAt, bAt, biasAt] = [heapOffset(backend, ta), heapOffset(backend, tb), heapOffset(backend, tbias)];
      const out = heapOffset(backend, arena) + 4 * guard;
      simd.fn('mat_mul')(aAt, bAt, out, biasAt, p.m, p.n, p.k, ...strides, 1, scratch);
      const written = (await arena.data()) as Float32Array;
      const canaries = [...written.subarray(0, guard), ...written.subarray(guard + size)];
      expect(canaries, JSON.stringify(p)).toEqual(new Array(2 * guard).fill(7.5));
      const expected = oracle(p, a, b, bias, true);
      expect(maxRelativeError(written.subarray(guard, guard + size), expected)).toBeLessThan(1e-5);
      const unchanged = [await ta.data(), await tb.data(), await tbias.data()];
      expect(unchanged).toEqual([a.values, b.values, bias.values]);
      tf.dispose([ta, tb, tbias, arena]);
    }
  });
});
