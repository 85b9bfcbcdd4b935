import * as tf from '@tensorflow/tfjs-core';

// Softmax cross-entropy as two kernels, registered on native and wasm and
// looked up by name (the bench's workloads run them where registered, tfjs'
// formula elsewhere). tfjs' `losses.softmaxCrossEntropy`
// is about twenty small kernels forward and backward (logSumExp's Max, Sub,
// Exp, Sum, Log, Add, the product with the labels, the mean, and as many
// again for the gradient); on a [64, 10] batch each costs its dispatch, not
// its arithmetic, and together they were ~10 % of a LeNet-5 step on native.
// Here the loss is one pass over the logits and its gradient another,
// accumulated in float64 (tfjs' chain rounds to float32 after every op, so
// the two agree to float32's last bits, not to the bit).

/** `ConvkitSoftmaxCrossEntropy`: inputs `logits`, `labels` (both float32 `[batch, classes]`) → the mean loss, a scalar. */
export const SOFTMAX_CROSS_ENTROPY = 'ConvkitSoftmaxCrossEntropy';
/** `ConvkitSoftmaxCrossEntropyGrad`: inputs `logits`, `labels`, `dy` (scalar) → d loss / d logits `[batch, classes]`. */
export const SOFTMAX_CROSS_ENTROPY_GRAD = 'ConvkitSoftmaxCrossEntropyGrad';

/** log Σ exp over one row of `classes` logits from `start`, shifted by the row's max (stable for large logits). */
function logSumExp(logits: ArrayLike<number>, start: number, classes: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < classes; j++) max = Math.max(max, logits[start + j] as number);
  if (!Number.isFinite(max)) return Number.NaN; // as tfjs' max-shifted formula: ±∞ − ±∞ is NaN
  let sum = 0;
  for (let j = 0; j < classes; j++) sum += Math.exp((logits[start + j] as number) - max);
  return max + Math.log(sum);
}

/**
 * The mean over `rows` of −Σ labels · log softmax(logits): what tfjs'
 * `losses.softmaxCrossEntropy(labels, logits)` and PyTorch's
 * `cross_entropy(logits, target_probabilities)` compute. Labels need not be
 * one-hot (label smoothing passes soft targets).
 */
export function crossEntropyOfRows(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  rows: number,
  classes: number,
): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const start = i * classes;
    const lse = logSumExp(logits, start, classes);
    for (let j = 0; j < classes; j++) {
      // As tfjs' formula: a −∞ logit makes the loss NaN even where its label is 0 (0·∞).
      total += (labels[start + j] as number) * (lse - (logits[start + j] as number));
    }
  }
  return total / rows;
}

/** d loss / d logits = dy/rows · (softmax · Σ labels − labels), written into `out`. */
export function crossEntropyGradOfRows(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  dy: number,
  rows: number,
  classes: number,
  out: { [i: number]: number },
): void {
  const scale = dy / rows;
  for (let i = 0; i < rows; i++) {
    const start = i * classes;
    const lse = logSumExp(logits, start, classes);
    let mass = 0;
    for (let j = 0; j < classes; j++) mass += labels[start + j] as number;
    for (let j = 0; j < classes; j++) {
      const p = Math.exp((logits[start + j] as number) - lse);
      out[start + j] = scale * (p * mass - (labels[start + j] as number));
    }
  }
}

/** `[rows, classes]` of a kernel's logits and labels, or a TypeError that repeats what was received. */
export function crossEntropyShape(
  backend: string,
  logits: tf.TensorInfo | undefined,
  labels: tf.TensorInfo | undefined,
): [number, number] {
  const ok =
    logits !== undefined &&
    labels !== undefined &&
    logits.dtype === 'float32' &&
    labels.dtype === 'float32' &&
    logits.shape.length === 2 &&
    logits.shape.join() === labels.shape.join();
  if (!ok) {
    throw new TypeError(
      `${backend} ${SOFTMAX_CROSS_ENTROPY}: logits and labels must be float32 [batch, classes] of one shape, received ` +
        `${logits?.dtype} [${logits?.shape}] and ${labels?.dtype} [${labels?.shape}]`,
    );
  }
  return logits.shape as [number, number];
}

/** {@link crossEntropyShape} for the gradient kernel, whose `dy` must also be a float32 scalar (a TypeError repeats it). */
export function crossEntropyGradShape(
  backend: string,
  logits: tf.TensorInfo | undefined,
  labels: tf.TensorInfo | undefined,
  dy: tf.TensorInfo | undefined,
): [number, number] {
  const shape = crossEntropyShape(backend, logits, labels);
  if (dy?.dtype !== 'float32' || dy.shape.length !== 0) {
    throw new TypeError(
      `${backend} ${SOFTMAX_CROSS_ENTROPY_GRAD}: dy must be a float32 scalar, received ${dy?.dtype} [${dy?.shape}]`,
    );
  }
  return shape;
}

/**
 * The fused loss's gradient (registered with convkit's other gradients): the
 * gradient kernel for the logits, −log softmax · dy / batch for the labels.
 * A caller runs the loss kernel only where both kernels and this are registered.
 */
export const softmaxCrossEntropyGradConfig: tf.GradConfig = {
  kernelName: SOFTMAX_CROSS_ENTROPY,
  inputsToSave: ['logits', 'labels'],
  gradFunc: (dy, saved) => {
    const [logits, labels] = saved as [tf.Tensor2D, tf.Tensor2D];
    return {
      logits: () => tf.engine().runKernel(SOFTMAX_CROSS_ENTROPY_GRAD, { logits, labels, dy: dy as tf.Tensor }),
      labels: () => tf.mul(tf.neg(tf.logSoftmax(logits)), tf.div(dy as tf.Tensor, logits.shape[0])),
    } as Record<string, () => tf.Tensor>;
  },
};
