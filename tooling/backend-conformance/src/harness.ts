// Shared pieces of the backend conformance suite: which backends this
// machine runs, ONNX data in NHWC, closeness checks, finite differences and
// the no-leak guard.

import { type BackendName, initBackend } from '@convkit/backend';
import type { OnnxTensor } from '@convkit/testdata';
import { tensorValues } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/**
 * Whether 'cuda' runs on a GPU here; without one the conformance suite runs
 * the same CUDA kernels in convkit's emulator on the CPU.
 */
export async function cudaOnGpu(): Promise<boolean> {
  const { cudaStatus } = await import('@convkit/backend-cuda');
  const status = cudaStatus();
  // CONVKIT_CUDA_TEST=gpu: a run on a GPU machine, where falling back to the emulator would hide a problem.
  if (!status.available && process.env.CONVKIT_CUDA_TEST === 'gpu') throw new Error(`no GPU: ${status.reason}`);
  return status.available;
}

/**
 * `CONVKIT_WASM_THREADS`: the threads wasm runs on in this run (unset:
 * initBackend's default, the machine's cores), so the suite can check the
 * threaded build at a fixed count (`pnpm test:wasm-threads`) or the
 * single-threaded one (`=1`). Throws on anything but a positive integer.
 * CI runs the suite once, unset: on its multi-core runners that is already
 * the threaded build, so a second pass would repeat it.
 */
export function wasmThreads(): number | undefined {
  const value = process.env.CONVKIT_WASM_THREADS;
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new Error(`CONVKIT_WASM_THREADS must be a whole number ≥ 1, received ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The options this run starts `name` with: wasm's thread count from {@link wasmThreads}. */
export function startOptions(name: BackendName): { threads?: number } {
  const threads = name === 'wasm' ? wasmThreads() : undefined;
  return threads === undefined ? {} : { threads };
}

/**
 * `CONVKIT_CONFORMANCE_BACKENDS=wasm,native`: test only these, and cpu, which
 * every run tests (it is the reference the others are compared with). Unset: all.
 */
export function backendWanted(name: BackendName): boolean {
  const value = process.env.CONVKIT_CONFORMANCE_BACKENDS;
  return !value || name === 'cpu' || value.split(',').some((listed) => listed.trim() === name);
}

/** Starts wasm with this run's options; a run that asked for threads and would get fewer fails instead of passing on fewer. */
async function startWasmAsAsked(): Promise<void> {
  const info = await initBackend('wasm', startOptions('wasm'));
  const asked = wasmThreads();
  if (asked !== undefined && info.threads !== asked) {
    throw new Error(
      `CONVKIT_WASM_THREADS=${asked}, but wasm started on ${info.threads} thread(s)${info.reason ? `: ${info.reason}` : ''}`,
    );
  }
}

/**
 * The backends to test here: cpu and wasm always; webgpu where a WebGPU
 * adapter exists (a software one counts: correctness, not speed); native
 * where @convkit/backend-native's addon is built; cuda on a GPU, else on the
 * emulator. In CI (`CI=true`) all must start: `.ci/run` installs lavapipe
 * (Mesa 25, which webgpu prefers) and SwiftShader, and the native and CUDA toolchains.
 * `CONVKIT_CONFORMANCE_BACKENDS` narrows the list, `CONVKIT_WASM_THREADS` sets wasm's threads.
 */
export async function backendsUnderTest(): Promise<BackendName[]> {
  const names: BackendName[] = (['cpu', 'wasm'] as const).filter(backendWanted);
  if (backendWanted('wasm')) await startWasmAsAsked();
  const optionals = (['webgpu', 'native', 'cuda'] as const).filter(backendWanted);
  const emulate = optionals.includes('cuda') ? !(await cudaOnGpu()) : true;
  for (const optional of optionals) {
    try {
      await initBackend(optional, optional === 'cuda' ? { emulate } : {});
      names.push(optional);
    } catch (error) {
      if (process.env.CI) throw error;
      console.warn(`conformance: ${optional} skipped here: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await initBackend('cpu');
  return names;
}

/** Makes `name` the active backend (all were started by backendsUnderTest). */
export async function use(name: BackendName): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}

/** An ONNX tensor as a tfjs tensor, NCHW → NHWC for rank-4 data (weights: OIHW → HWIO with `weights`). */
export function fromOnnx(t: OnnxTensor, layout: 'data' | 'weights' | 'flat' = 'data'): tf.Tensor {
  return tf.tidy(() => {
    const plain = tf.tensor(tensorValues(t), t.dims, 'float32');
    if (t.dims.length !== 4 || layout === 'flat') return plain;
    return tf.transpose(plain, layout === 'data' ? [0, 2, 3, 1] : [2, 3, 1, 0]);
  });
}

/** `|a − e| ≤ atol + rtol·|e|` elementwise, with the worst element in the message. */
export async function expectClose(
  actual: tf.Tensor,
  expected: tf.Tensor | ArrayLike<number>,
  rtol = 1e-3,
  atol = 1e-5,
) {
  const a = await actual.data();
  const e = expected instanceof tf.Tensor ? await expected.data() : expected;
  if (expected instanceof tf.Tensor) expect(actual.shape).toEqual(expected.shape);
  expect(a.length).toBe(e.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    const excess = Math.abs((a[i] as number) - (e[i] as number)) - (atol + rtol * Math.abs(e[i] as number));
    if (excess > worstExcess || Number.isNaN(excess)) {
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: got ${a[worst]}, expected ${e[worst]} (rtol ${rtol}, atol ${atol})`);
  }
}

/**
 * Central finite differences of a scalar function at `x`, element by element,
 * for small float32 tensors (each element moves by `eps`).
 */
export async function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-2): Promise<Float32Array> {
  const base = await x.data();
  const grad = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    // Async reads: WebGPU in Node cannot read synchronously (no OffscreenCanvas).
    const shifted = async (delta: number) => {
      const value = tf.tidy(() => {
        const values = Float32Array.from(base);
        values[i] = (values[i] as number) + delta;
        return f(tf.tensor(values, x.shape));
      });
      const [result] = await value.data();
      value.dispose();
      return result as number;
    };
    grad[i] = ((await shifted(eps)) - (await shifted(-eps))) / (2 * eps);
  }
  return grad;
}

/**
 * Directional finite differences: `(f(x + εv) − f(x − εv)) / 2ε` for a few
 * random directions v. Two evaluations per direction instead of two per
 * element, for backends whose every read is slow (WebGPU on a software adapter).
 */
async function directionalCheck(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, analytic: tf.Tensor, eps: number) {
  for (let seed = 0; seed < 3; seed++) {
    const v = tf.randomUniform(x.shape, -1, 1, 'float32', 100 + seed);
    const read = async (t: tf.Tensor) => {
      const [value] = await t.data();
      t.dispose();
      return value as number;
    };
    const plus = await read(tf.tidy(() => f(tf.add(x, tf.mul(v, eps)))));
    const minus = await read(tf.tidy(() => f(tf.sub(x, tf.mul(v, eps)))));
    const predicted = await read(tf.tidy(() => tf.sum(tf.mul(analytic, v))));
    v.dispose();
    const numeric = (plus - minus) / (2 * eps);
    expect(Math.abs(predicted - numeric), `direction ${seed}: ${predicted} vs ${numeric}`).toBeLessThanOrEqual(
      2e-3 + 2e-2 * Math.abs(numeric),
    );
  }
}

/**
 * Checks the backend's gradient of `sum(op(x) · r)` against finite
 * differences, r a fixed random tensor so every output element counts:
 * element by element on CPU backends, along random directions on WebGPU.
 */
export async function expectGradientMatchesNumeric(
  op: (x: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  options: { eps?: number; rtol?: number; atol?: number } = {},
): Promise<void> {
  const r = tf.tidy(() => tf.randomUniform(op(x).shape, 0.5, 1.5, 'float32', 11));
  const f = (input: tf.Tensor) => tf.sum(tf.mul(op(input), r)) as tf.Scalar;
  const analytic = tf.grad(f)(x);
  if (tf.getBackend() === 'webgpu') await directionalCheck(f, x, analytic, options.eps ?? 1e-2);
  else
    await expectClose(
      analytic,
      await numericGradient(f, x, options.eps ?? 1e-2),
      options.rtol ?? 2e-2,
      options.atol ?? 2e-3,
    );
  tf.dispose([r, analytic]);
}

/**
 * Runs `compute` on the active backend and on cpu, from the same values,
 * and expects the same results.
 */
export async function expectSameAsCpu(
  inputs: { shape: number[]; seed: number; scale?: number }[],
  compute: (...xs: tf.Tensor[]) => tf.Tensor[],
  rtol = 1e-3,
  atol = 1e-3,
): Promise<void> {
  const here = tf.getBackend() as BackendName;
  const values = await Promise.all(
    inputs.map(async ({ shape, seed, scale = 1 }) => {
      const t = tf.randomNormal(shape, 0, scale, 'float32', seed);
      const data = await t.data();
      t.dispose();
      return data;
    }),
  );
  const run = async () => {
    const xs = inputs.map(({ shape }, i) => tf.tensor(values[i] as Float32Array, shape));
    const ys = compute(...xs);
    const out = await Promise.all(ys.map(async (y) => ({ shape: y.shape, data: await y.data() })));
    tf.dispose([...xs, ...ys]);
    return out;
  };
  const mine = await run();
  await use('cpu');
  const reference = await run();
  await use(here);
  mine.forEach((m, i) => {
    const ref = reference[i] as (typeof reference)[number];
    expect(m.shape).toEqual(ref.shape);
    m.data.forEach((value, k) => {
      const e = ref.data[k] as number;
      if (Math.abs((value as number) - e) > atol + rtol * Math.abs(e)) {
        expect.fail(`output ${i} element ${k}: ${value} on ${here}, ${e} on cpu`);
      }
    });
  });
}

/** Runs `body` and fails if it leaves tensors behind. */
export async function expectNoLeaks(body: () => Promise<void> | void): Promise<void> {
  const before = tf.memory().numTensors;
  await body();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
}

/** Seeded values away from 0 (so piecewise-linear ops have no kink within a finite-difference step). */
export function awayFromZero(shape: number[], seed: number): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.randomUniform(shape, 0.1, 1, 'float32', seed);
    const sign = tf.sign(tf.randomUniform(shape, -1, 1, 'float32', seed + 1));
    return tf.mul(u, tf.where(tf.equal(sign, 0), tf.onesLike(sign), sign));
  });
}

/** Distinct values with gaps wider than a finite-difference step (max pooling has no ties to break). */
export function distinctValues(shape: number[], seed: number): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => (i - size / 2) * 0.1);
  let state = seed;
  for (let i = values.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [values[i], values[j]] = [values[j] as number, values[i] as number];
  }
  return tf.tensor(values, shape);
}
