// Test helpers: start the native backend (or say why the tests skip), run
// the same computation on tfjs' stock cpu kernels and on native, compare.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { mulberry32 } from '@convkit/shape';
import { type Outputs, runOn, worstMismatch } from '@convkit/testdata/backends';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { nativeKernelCalls, registerNativeBackend } from '../src/backend.js';
import { nativeStatus } from '../src/status.js';

/**
 * Registers the native backend with two threads (so the threaded paths run)
 * and returns true; false with the reason printed when the addon is not
 * built here. In CI (`CI=true`) a missing addon fails: .ci/run installs the
 * toolchain, so it must build there.
 */
export async function startNative(): Promise<boolean> {
  const status = nativeStatus();
  if (!status.available) {
    if (process.env.CI) throw new Error(`native backend unavailable in CI: ${status.reason}`);
    console.warn(`backend-native tests skipped: ${status.reason}`);
    return false;
  }
  await import('@tensorflow/tfjs-backend-cpu');
  registerNativeBackend({ threads: 2 });
  // The stock cpu backend (the reference here) suggests tfjs-node on its first write.
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  await tf.setBackend('native');
  return true;
}

/** A deterministic generator of whole numbers in [low, high] for test geometries. */
export function seeded(seed: number): (low: number, high: number) => number {
  const random = mulberry32(seed);
  return (low, high) => low + Math.floor(random() * (high - low + 1));
}

/**
 * Runs `build` on stock cpu and on native (tensors made inside it from
 * seeds are the same on both) and expects the same shapes and values,
 * `|native − cpu| ≤ atol + rtol·|cpu|`, with no tensor left behind.
 * `kernels`: the native kernels that must have run in the addon, not fallen back to cpu.
 */
export async function expectSameAsCpu(
  build: () => Outputs,
  { rtol = 1e-4, atol = 1e-4, kernels = [] as string[] } = {},
): Promise<void> {
  const before = tf.memory().numTensors;
  const reference = await runOn('cpu', build);
  const calls = nativeKernelCalls();
  const mine = await runOn('native', build);
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  const after = nativeKernelCalls();
  for (const kernel of kernels) {
    const ran = (after[kernel]?.native ?? 0) - (calls[kernel]?.native ?? 0);
    const fell = (after[kernel]?.cpu ?? 0) - (calls[kernel]?.cpu ?? 0);
    expect({ kernel, ran: ran > 0, fell }).toEqual({ kernel, ran: true, fell: 0 });
  }
  expect(mine.length).toBe(reference.length);
  mine.forEach((out, i) => {
    const ref = reference[i] as (typeof reference)[number];
    expect(out.shape, `output ${i} shape`).toEqual(ref.shape);
    const k = worstMismatch(out.data, ref.data, rtol, atol);
    if (k >= 0) expect.fail(`output ${i} [${ref.shape}] element ${k}: native ${out.data[k]}, cpu ${ref.data[k]}`);
  });
  await tf.setBackend('native');
}
