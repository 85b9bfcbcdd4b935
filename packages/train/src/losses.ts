import * as tf from '@tensorflow/tfjs-core';

// Where the backend registers convkit's fused loss (native and wasm: @convkit/backend's
// gradients/softmax-cross-entropy.ts has the kernels' contract and registers their gradient),
// the loss is one kernel forward and one backward instead of about twenty small ones; this
// package may not import @convkit/backend, so it looks the kernels up by name, as fused-update.ts does.
const FUSED_LOSS = 'ConvkitSoftmaxCrossEntropy';
const FUSED_LOSS_GRAD = 'ConvkitSoftmaxCrossEntropyGrad';

/** Whether the active backend runs the fused loss (and its gradient) on these float32 tensors. */
function fusedLossHere(logits: tf.Tensor, labels: tf.Tensor): boolean {
  const backend = tf.getBackend();
  return (
    logits.dtype === 'float32' &&
    labels.dtype === 'float32' &&
    tf.getKernel(FUSED_LOSS, backend) !== undefined &&
    tf.getKernel(FUSED_LOSS_GRAD, backend) !== undefined &&
    tf.getGradient(FUSED_LOSS) !== undefined
  );
}

/**
 * Mean softmax cross-entropy of `logits` `[b, classes]` against one-hot
 * `labels`. With `labelSmoothing` ε the target is `(1 − ε)·y + ε / classes`,
 * as in Inception v3 (Szegedy et al. 2016, §7) and PyTorch's
 * `CrossEntropyLoss(label_smoothing=ε)`.
 *
 * @example
 * ```ts
 * await softmaxCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor2d([[1, 0]])).data(); // [ln 2]
 * ```
 */
export function softmaxCrossEntropy(logits: tf.Tensor, labels: tf.Tensor, labelSmoothing = 0): tf.Scalar {
  if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
    throw new RangeError(`labelSmoothing must be in [0, 1), received ${labelSmoothing}`);
  }
  if (logits.rank !== 2 || logits.shape.join() !== labels.shape.join()) {
    throw new RangeError(
      `softmaxCrossEntropy: logits [${logits.shape.join(', ')}] and labels [${labels.shape.join(', ')}] must both be [batch, classes]`,
    );
  }
  return tf.tidy(() => {
    const classes = logits.shape[1] as number;
    const target = labelSmoothing === 0 ? labels : tf.add(tf.mul(labels, 1 - labelSmoothing), labelSmoothing / classes);
    if (fusedLossHere(logits, target)) {
      return tf.engine().runKernel(FUSED_LOSS, { logits, labels: target }) as tf.Scalar;
    }
    // log-softmax through logSumExp is stable for large logits.
    const logProbabilities = tf.sub(logits, tf.logSumExp(logits, 1, true));
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbabilities), 1)));
  });
}

/**
 * The total loss of a network with auxiliary classifiers: the main loss plus
 * `weight` × each auxiliary loss. GoogLeNet weights its two auxiliary
 * classifiers by 0.3 (Szegedy et al. 2015, §5); Inception v3 uses one.
 */
export function withAuxiliary(
  output: tf.Tensor,
  auxiliary: readonly tf.Tensor[],
  labels: tf.Tensor,
  { weight = 0.3, labelSmoothing = 0 }: { weight?: number; labelSmoothing?: number } = {},
): tf.Scalar {
  return tf.tidy(() => {
    let total = softmaxCrossEntropy(output, labels, labelSmoothing);
    for (const head of auxiliary)
      total = tf.add(total, tf.mul(softmaxCrossEntropy(head, labels, labelSmoothing), weight));
    return total;
  });
}
