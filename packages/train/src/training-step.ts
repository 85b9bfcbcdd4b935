import { applyWithAuxiliary, type Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { TrainingError } from './errors.js';
import type { FitOptions } from './fit-options.js';
import { withAuxiliary } from './losses.js';
import type { Optimizer } from './optimizers.js';

/** Where a step is, for the message of a non-finite loss. */
export interface StepContext {
  epoch: number;
  batch: number;
  step: number;
  /** The last good checkpoint; `null` when the store has none yet, `undefined` without a store. */
  where: string | null | undefined;
}

/** One minibatch step: returns the batch's loss and its number of correct top-1 predictions. */
export type TrainingStep = (
  x: tf.Tensor,
  y: tf.Tensor,
  lr: number,
  dropoutSeed: number,
  context: () => StepContext,
) => Promise<{ loss: number; correct: number }>;

/**
 * One minibatch: forward in training mode, the loss (auxiliary heads
 * weighted), gradients of the trainable weights, optional clipping, a check
 * that the loss is finite *before* anything is updated, and the optimizer
 * step. Returns the batch's loss and number of correct top-1 predictions.
 */
export function trainingStep(model: Layer, optimizer: Optimizer, options: FitOptions): TrainingStep {
  const { labelSmoothing = 0, auxiliaryWeight = 0.3, clipGradNorm } = options;
  const named = model.namedWeights();
  const trainable = named.filter(([, v]) => v.trainable);
  const nameOf = new Map(trainable.map(([name, v]) => [v.name, name]));
  return async (x, y, lr, dropoutSeed, context) => {
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(
      () => {
        const { output, auxiliary } = applyWithAuxiliary(model, x, { training: true, seed: dropoutSeed });
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(output, 1), tf.argMax(y, 1)), 'float32')));
        return withAuxiliary(output, auxiliary, y, { weight: auxiliaryWeight, labelSmoothing });
      },
      trainable.map(([, v]) => v),
    );
    const gradients = new Map<string, tf.Tensor>();
    for (const [variableName, g] of Object.entries(grads)) gradients.set(nameOf.get(variableName) as string, g);
    try {
      const [loss] = await value.data();
      const [hits] = await (correct as tf.Scalar).data();
      if (!Number.isFinite(loss)) throw nonFiniteLoss(loss as number, lr, context());
      if (clipGradNorm !== undefined) clip(gradients, clipGradNorm);
      optimizer.step(named, gradients, lr);
      return { loss: loss as number, correct: hits as number };
    } finally {
      tf.dispose([value, correct as tf.Scalar, ...gradients.values()]);
    }
  };
}

function nonFiniteLoss(loss: number, lr: number, { epoch, batch, step, where }: StepContext): TrainingError {
  return new TrainingError(
    `the loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1} (step ${step + 1}, lr ${lr}); training stopped before this step changed any weight` +
      (where ? `. The last good checkpoint is ${where}` : where === null ? '. No checkpoint was written yet' : '') +
      '. Try a lower lr, gradient clipping (clipGradNorm) or check the inputs for NaN.',
  );
}

/** Scales every gradient by `max / ‖g‖` when the global norm ‖g‖ exceeds `max` (PyTorch clip_grad_norm_). */
function clip(gradients: Map<string, tf.Tensor>, max: number): void {
  const clipped = tf.tidy(() => {
    const norm = tf.sqrt(tf.addN([...gradients.values()].map((g) => tf.sum(tf.square(g)))));
    const scale = tf.minimum(1, tf.div(max, tf.add(norm, 1e-6)));
    return [...gradients].map(([name, g]) => [name, tf.mul(g, scale)] as const);
  });
  for (const [name, g] of clipped) {
    gradients.get(name)?.dispose();
    gradients.set(name, g);
  }
}
