// Shared by the tests of convkit's SIMD convolution kernels (not exported by
// the package): seeded random windows, a walk over every tap of a convolution
// for float64 oracles, the backends those tests compare, and canaries around
// what a kernel writes.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, expect } from 'vitest';
import { initBackend } from '../src/index.js';
import { heapOffset, type SimdKernels } from '../src/wasm/simd/module.js';
import { seeded } from './wasm-oracles.js';

export type Shape4 = [number, number, number, number];
export type Explicit = [[0, 0], [number, number], [number, number], [0, 0]];

/** A convolution's window: x ⊛ filter with strides and explicit, possibly asymmetric, padding. */
export interface Window {
  x: Shape4;
  filter: Shape4;
  strides: [number, number];
  pad: Explicit;
}

/**
 * `count` windows from `seed`: batch 1–3, kernels 1–6, strides 1–3, pads below the kernel on
 * each side, x 0–11 larger than the kernel; `channels(pick)` chooses [Ci, Co] with `pick(lo, hi)`.
 */
export function randomWindows(
  count: number,
  seed: number,
  channels: (pick: (lo: number, hi: number) => number) => [number, number],
): Window[] {
  const r = seeded(count * 16, seed);
  return Array.from({ length: count }, (_, i) => {
    let k = 0;
    const pick = (lo: number, hi: number) => lo + Math.floor(((r[i * 16 + k++] ?? 0) + 1) * 0.5 * (hi - lo + 1));
    const [kh, kw] = [pick(1, 6), pick(1, 6)];
    const pad: Explicit = [
      [0, 0],
      [pick(0, kh - 1), pick(0, kh - 1)],
      [pick(0, kw - 1), pick(0, kw - 1)],
      [0, 0],
    ];
    const [ci, co] = channels(pick);
    const x: Shape4 = [pick(1, 3), kh + pick(0, 11), kw + pick(0, 11), ci];
    return { x, filter: [kh, kw, ci, co], strides: [pick(1, 3), pick(1, 3)], pad };
  });
}

/** Calls `visit` for every (dy pixel, filter tap) whose input pixel lies inside x, with flat pixel indices. */
export function forEachTap(
  info: tf.backend_util.Conv2DInfo,
  visit: (outPixel: number, inPixel: number, tap: number) => void,
): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, padInfo } = info;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * info.strideHeight + kh - padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * info.strideWidth + kw - padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            visit((n * outHeight + oh) * outWidth + ow, (n * inHeight + ih) * inWidth + iw, kh * filterWidth + kw);
          }
        }
      }
    }
  }
}

/** Starts tfjs-cpu's stock kernels and the wasm backend first, and turns the SIMD module back on after each test. */
export function simdRoutesUnderTest(): void {
  beforeAll(async () => {
    await initBackend('cpu', { kernels: 'stock' });
    await initBackend('wasm');
  });
  afterEach(() => {
    delete process.env.CONVKIT_WASM_SIMD;
  });
}

/**
 * Runs a kernel whose output of `size` floats sits between 64 canaries on each side and whose
 * `scratchBytes` of scratch are followed by 64 more; expects every canary intact (`what` names
 * the case) and returns the output.
 */
export async function guardedRun(
  backend: BackendWasm,
  simd: SimdKernels,
  size: number,
  scratchBytes: number,
  run: (out: number, scratch: number) => void,
  what: string,
): Promise<Float32Array> {
  const [guard, canary] = [64, 12345.5];
  const out = tf.fill([size + 2 * guard], canary);
  const scratch = simd.scratch(scratchBytes + 4 * guard);
  const tail = (scratch + scratchBytes) / 4;
  new Float32Array(backend.typedArrayFromHeap(out).buffer).fill(canary, tail, tail + guard);
  run(heapOffset(backend, out) + 4 * guard, scratch);
  const all = (await out.data()) as Float32Array;
  const after = new Float32Array(backend.typedArrayFromHeap(out).buffer).subarray(tail, tail + guard);
  out.dispose();
  const outside = [...all.subarray(0, guard), ...all.subarray(guard + size)];
  expect(
    outside.every((v) => v === canary),
    `around the output: ${what}`,
  ).toBe(true);
  expect(
    after.every((v) => v === canary),
    `after the scratch: ${what}`,
  ).toBe(true);
  return all.slice(guard, guard + size);
}
