// Running one computation on two tfjs backends and comparing the results:
// the native adapters' kernel tests (@convkit/backend-native, @convkit/backend-cuda)
// check every kernel against tfjs' stock cpu kernels this way.
import * as tf from '@tensorflow/tfjs-core';

/** What a computation under test returns. */
export type Outputs = tf.Tensor | tf.Tensor[];

/** One output read back: its shape, dtype and values. */
export interface OutputValues {
  shape: number[];
  dtype: tf.DataType;
  data: tf.TypedArray | string[];
}

/**
 * Makes `backend` active, runs `build` inside `tidy` and reads every output
 * back (synchronously: Node tests only), leaving no tensor behind.
 */
export async function runOn(backend: string, build: () => Outputs): Promise<OutputValues[]> {
  await tf.setBackend(backend);
  const outputs = tf.tidy(() => {
    const out = build();
    return Array.isArray(out) ? out : [out];
  });
  const values = outputs.map((t) => ({ shape: t.shape, dtype: t.dtype, data: t.dataSync() }));
  tf.dispose(outputs);
  return values;
}

/**
 * The index of the element of `actual` furthest outside
 * `|actual − expected| ≤ atol + rtol·|expected|`, or -1 when all are within
 * (equal values and NaN beside NaN always are; a NaN beside a number is the worst).
 */
export function worstMismatch(
  actual: ArrayLike<number | string>,
  expected: ArrayLike<number | string>,
  rtol: number,
  atol: number,
): number {
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const want = Number(expected[i]);
    const got = Number(actual[i]);
    if (got === want || (Number.isNaN(want) && Number.isNaN(got))) continue;
    const excess = Math.abs(got - want) - (atol + rtol * Math.abs(want));
    if (Number.isNaN(excess)) return i;
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  return worst;
}
