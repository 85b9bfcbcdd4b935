import * as tf from '@tensorflow/tfjs-core';

/** NCHW data (as ONNX test files hold it) → NHWC values for convkit; rank-2 data passes through. */
export function toNhwc(data: Float32Array, dims: readonly number[]): tf.Tensor {
  const x = tf.tensor(data, [...dims]);
  if (dims.length !== 4) return x;
  const y = tf.transpose(x, [0, 2, 3, 1]);
  x.dispose();
  return y;
}

/** A convkit output → the NCHW values ONNX gives (maps are transposed back). */
export function fromNhwc(y: tf.Tensor): Float32Array {
  const t = y.rank === 4 ? tf.transpose(y, [0, 3, 1, 2]) : y;
  const data = t.dataSync() as Float32Array;
  if (t !== y) t.dispose();
  return data;
}

/** Whether every |a − e| ≤ atol + rtol·|e| (DESIGN.md's tolerance for the ONNX peer suite). */
export function close(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol = 1e-3,
  atol = 1e-5,
): string | undefined {
  if (actual.length !== expected.length) return `lengths ${actual.length} vs ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) return `element ${i}: ${a} vs ${e}`;
  }
  return undefined;
}
