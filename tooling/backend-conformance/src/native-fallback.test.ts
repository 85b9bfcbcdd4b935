// One counted CPU fallback: 'native' started by initBackend and by
// registerNativeBackend runs the same kernel functions and counts the same
// fallbacks (before, initBackend patched convkit's cpu kernels in on top).
import '@tensorflow/tfjs-backend-cpu';
import { initBackend } from '@convkit/backend';
import { nativeKernelCalls, nativeStatus, registerNativeBackend } from '@convkit/backend-native';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

const status = nativeStatus();
if (!status.available && process.env.CI) throw new Error(`CI installs the native toolchain: ${status.reason}`);

/** The kernel function registered for 'native', per kernel name. */
function nativeKernelFuncs(): Map<string, unknown> {
  return new Map(tf.getKernelsForBackend('native').map((k) => [k.kernelName, k.kernelFunc]));
}

/** A few ops that run in the addon, and some that fall back (int32 inputs, kernels the addon lacks). */
function workload(): number[] {
  return tf.tidy(() => {
    const x = tf.tensor4d([1, -2, 3, -4, 5, -6, 7, -8], [1, 2, 2, 2]);
    const y = tf.conv2d(x, tf.ones([1, 1, 2, 3]) as tf.Tensor4D, 1, 'valid');
    const ints = tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
    const z = tf.concat([tf.cos(y.flatten()), tf.cast(ints, 'float32'), tf.relu(x).sum().reshape([1])]);
    return Array.from(z.dataSync());
  });
}

/** What one run of the workload adds to the counts. */
function countsOf(run: () => number[]): { values: number[]; counts: Record<string, { native: number; cpu: number }> } {
  const before = nativeKernelCalls();
  const values = run();
  const after = nativeKernelCalls();
  const counts: Record<string, { native: number; cpu: number }> = {};
  for (const [name, c] of Object.entries(after)) {
    const b = before[name] ?? { native: 0, cpu: 0 };
    if (c.native !== b.native || c.cpu !== b.cpu) counts[name] = { native: c.native - b.native, cpu: c.cpu - b.cpu };
  }
  return { values, counts };
}

describe.skipIf(!status.available)("'native' through initBackend and through registerNativeBackend", () => {
  it('registers the same kernels and counts the same fallbacks', async () => {
    registerNativeBackend({ threads: 2 });
    await tf.setBackend('native');
    const kernels = nativeKernelFuncs();
    const direct = countsOf(workload);

    await initBackend('native', { threads: 2 });
    expect(tf.getBackend()).toBe('native');
    const after = nativeKernelFuncs();
    expect([...after.keys()].sort()).toEqual([...kernels.keys()].sort());
    for (const [name, kernelFunc] of kernels) expect(after.get(name) === kernelFunc, name).toBe(true);
    const viaInit = countsOf(workload);

    expect(viaInit).toEqual(direct);
    // The workload does reach both paths: the addon, and the counted CPU fallback.
    expect(direct.counts.Conv2D?.native).toBe(1);
    expect(direct.counts.Cos).toEqual({ native: 0, cpu: 1 });
    expect(Object.values(direct.counts).some((c) => c.cpu > 0 && c.native === 0)).toBe(true);
  });
});
