// Test helpers: start the native backend (or say why the tests skip), run
// the same computation on tfjs' stock cpu kernels and on native, compare.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { nativeKernelCalls, registerNativeBackend } from './backend.js';
import { nativeStatus } from './status.js';

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

/** A deterministic generator for test geometries (mulberry32). */
export function seeded(seed: number): (low: number, high: number) => number {
  let state = seed >>> 0;
  return (low, high) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return low + Math.floor(unit * (high - low + 1));
  };
}

type Output = tf.Tensor | tf.Tensor[];

async function runOn(backend: string, build: () => Output) {
  await tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const out = build();
    return Array.isArray(out) ? out : [out];
  });
  const values = outputs.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  tf.dispose(outputs);
  return values;
}

/**
 * Runs `build` on stock cpu and on native (tensors made inside it from
 * seeds are the same on both) and expects the same shapes and values,
 * `|native − cpu| ≤ atol + rtol·|cpu|`, with no tensor left behind.
 * `kernels`: the native kernels that must have run in the addon, not fallen back to cpu.
 */
export async function expectSameAsCpu(
  build: () => Output,
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
    for (let k = 0; k < ref.data.length; k++) {
      const got = out.data[k] as number;
      const want = ref.data[k] as number;
      const ok = Number.isNaN(want)
        ? Number.isNaN(got)
        : got === want || Math.abs(got - want) <= atol + rtol * Math.abs(want);
      if (!ok) expect.fail(`output ${i} [${ref.shape}] element ${k}: native ${got}, cpu ${want}`);
    }
  });
  await tf.setBackend('native');
}
