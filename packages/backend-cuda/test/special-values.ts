// Values and a comparison for the element-wise kernel tests: the edge cases
// every op meets, and outputs that may hold ±Infinity.
import * as tf from '@tensorflow/tfjs-core';
import { expectSameOnCuda } from './harness.js';

/** ±Infinity as a finite stand-in (float32 max is 3.4e38), so that harness.ts' |a − e| compares it. */
const INFINITY_STAND_IN = 1.2345e38;

/**
 * harness.ts' expectSameOnCuda for outputs that hold ±Infinity, which it
 * reads as a mismatch (|∞ − ∞| is NaN): both backends' float32 outputs with
 * the infinities replaced by a finite stand-in no other value takes.
 */
export async function expectSameWithInfinities(
  build: () => tf.Tensor | tf.Tensor[],
  options: { rtol?: number; atol?: number; gpuKernels?: readonly string[] } = {},
): Promise<void> {
  const finite = (t: tf.Tensor) => {
    if (t.dtype !== 'float32') return t;
    const values = Array.from(t.dataSync(), (v) =>
      Number.isFinite(v) || Number.isNaN(v) ? v : Math.sign(v) * INFINITY_STAND_IN,
    );
    return tf.tensor(values, t.shape, 'float32');
  };
  await expectSameOnCuda(() => {
    const out = build();
    return Array.isArray(out) ? out.map(finite) : finite(out);
  }, options);
}

/** Values where ops have edge cases: NaN, ±Infinity, ±0, halves (rounding), large and tiny magnitudes. */
export const SPECIAL = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  3.5,
  1,
  -1,
  6,
  6.5,
  -13.9,
  -14,
  14,
  20,
  -20,
  100,
  -100,
  1e-7,
  -3e-6,
  1e30,
  -1e30,
];
