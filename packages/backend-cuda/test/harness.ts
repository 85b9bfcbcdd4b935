// Test helpers for the CUDA backend: start it (on a GPU when one is here,
// else in the emulator), run the same computation on tfjs' stock cpu
// backend and on 'cuda', compare, and check which kernels ran on the GPU.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-cpu';
import { mulberry32 } from '@convkit/shape';
import { type Outputs, runOn, worstMismatch } from '@convkit/testdata/backends';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { loadCudaAddon } from '../src/addon.js';
import { cudaKernelCalls, registerCudaBackend } from '../src/register.js';

/**
 * Registers 'cuda' and makes it active: on the GPU when a CUDA device
 * answers, else in the emulator (saying so, with the reason). With
 * CONVKIT_CUDA_TEST=gpu a missing GPU is an error; with
 * CONVKIT_CUDA_TEST=emulated the emulator runs even beside a GPU. Returns
 * false, with the reason printed, when neither addon is built here; in CI
 * (`CI=true`) that fails instead, because .ci/run installs the toolchain.
 */
export async function startCuda(): Promise<boolean> {
  const wanted = process.env.CONVKIT_CUDA_TEST;
  let emulate = wanted === 'emulated';
  if (wanted === undefined) {
    try {
      loadCudaAddon('gpu');
    } catch (error) {
      emulate = true;
      console.info(`cuda kernels run on the emulator here (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  try {
    registerCudaBackend({ emulate, warnOnCpuFallback: false });
  } catch (error) {
    if (process.env.CI || wanted === 'gpu') throw error;
    console.warn(`cuda tests skipped: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  await tf.setBackend('cuda');
  return true;
}

/**
 * Runs `build` on stock cpu and on cuda (tensors it makes from seeds are the
 * same on both) and expects the same shapes, dtypes and values within
 * `|a − e| ≤ atol + rtol·|e|`. With `gpuKernels`, also expects each named
 * kernel to have run on the GPU (not the CPU fallback) during the cuda run.
 */
export async function expectSameOnCuda(
  build: () => Outputs,
  options: { rtol?: number; atol?: number; gpuKernels?: readonly string[] } = {},
): Promise<void> {
  const { rtol = 1e-5, atol = 1e-6, gpuKernels = [] } = options;
  const expected = await runOn('cpu', build);
  const before = cudaKernelCalls();
  const actual = await runOn('cuda', build);
  const after = cudaKernelCalls();
  await tf.setBackend('cuda');
  for (const name of gpuKernels) {
    const ran = (after[name]?.gpu ?? 0) - (before[name]?.gpu ?? 0);
    const fellBack = (after[name]?.cpu ?? 0) - (before[name]?.cpu ?? 0);
    expect({ kernel: name, ranOnGpu: ran > 0, cpuFallbacks: fellBack }, `${name} should run on the GPU`).toEqual({
      kernel: name,
      ranOnGpu: true,
      cpuFallbacks: 0,
    });
  }
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i] as (typeof expected)[number];
    const a = actual[i] as (typeof actual)[number];
    expect(a.shape).toEqual(e.shape);
    expect(a.dtype).toBe(e.dtype);
    const worst = worstMismatch(a.data, e.data, rtol, atol);
    if (worst >= 0) {
      expect.fail(
        `output ${i}, element ${worst} of ${e.data.length}: cuda ${a.data[worst]}, cpu ${e.data[worst]} (rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}

/** Seeded test values in [low, high) (mulberry32: the same on every machine). */
export function seededValues(seed: number, count: number, low = -1, high = 1): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: count }, () => low + random() * (high - low));
}

/** A float32 tensor of `shape` with seeded values in [low, high). */
export function seededTensor(seed: number, shape: number[], low = -1, high = 1): tf.Tensor {
  return tf.tensor(
    seededValues(
      seed,
      shape.reduce((a, b) => a * b, 1),
      low,
      high,
    ),
    shape,
  );
}
