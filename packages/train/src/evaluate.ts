import {
  type AugmentOptions,
  type DatasetSource,
  type ImageDataset,
  type Normalize,
  streamBatches,
} from '@convkit/data';
import type { Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy } from './losses.js';
import { ClassificationMetrics } from './metrics.js';

export interface EvaluateOptions {
  batchSize?: number;
  normalize?: Normalize;
  /** Deterministic preprocessing for evaluation, e.g. `{ resize, centerCrop }`; no random options. */
  augment?: AugmentOptions;
  /** Stops between batches: the promise rejects with the signal's reason (an `AbortError` by default). */
  signal?: AbortSignal;
}

/**
 * Loss, top-1/top-5 error, confusion matrix and per-class accuracy of `model`
 * (inference mode: no dropout, batch norm's running statistics) on `data`.
 *
 * @example
 * ```ts
 * const m = await evaluate(model, loadMnist({ split: 'test' }));
 * console.log(m.top1Error, m.perClassAccuracy());
 * ```
 */
export async function evaluate(
  model: Layer,
  data: ImageDataset | DatasetSource,
  { batchSize = 256, normalize = 'unit', augment, signal }: EvaluateOptions = {},
): Promise<ClassificationMetrics> {
  const metrics = new ClassificationMetrics(data.classes);
  const stream = streamBatches(data, { batchSize, shuffle: false, normalize, ...(augment ? { augment } : {}) });
  for await (const { x, y } of stream) {
    if (signal?.aborted) {
      tf.dispose([x, y]);
      signal.throwIfAborted();
    }
    const [logits, loss, labels] = tf.tidy(() => {
      const out = model.apply(x, { training: false });
      return [out, softmaxCrossEntropy(out, y), tf.argMax(y, 1)] as const;
    });
    metrics.add(await logits.data(), await labels.data(), (await loss.data())[0]);
    tf.dispose([x, y, logits, loss, labels]);
  }
  return metrics;
}
