import type { AugmentOptions, DatasetSource, ImageDataset, Normalize } from '@convkit/data';
import type { Layer } from '@convkit/layers';
import type { CheckpointStore } from './checkpoint.js';
import { TrainingError } from './errors.js';
import type { FitListener } from './events.js';
import type { OptimizerConfig } from './optimizers.js';
import type { ScheduleConfig } from './schedules.js';

/** Options of `fit`. */
export interface FitOptions {
  train: ImageDataset | DatasetSource;
  /** Evaluated after every epoch; its loss drives `plateau` schedules and early stopping. */
  validation?: ImageDataset | DatasetSource;
  epochs: number;
  /** Default 128. */
  batchSize?: number;
  /** Default 0.01. */
  lr?: number;
  /** Default SGD, momentum 0.9, weight decay 0.0005 (AlexNet's). */
  optimizer?: OptimizerConfig;
  /** Default constant. */
  schedule?: ScheduleConfig;
  /** Training-time augmentation (random crops, flips, colour noise). */
  augment?: AugmentOptions;
  /** Deterministic preprocessing for validation, e.g. a center crop; default: none. */
  evaluationAugment?: AugmentOptions;
  /** Default `'unit'` (pixels / 255). */
  normalize?: Normalize;
  labelSmoothing?: number;
  /** Weight of each auxiliary classifier's loss; default 0.3 (GoogLeNet). */
  auxiliaryWeight?: number;
  /** Rescales the gradients when their global L2 norm exceeds this. */
  clipGradNorm?: number;
  /** Stop when the validation loss (training loss without validation data) has not improved by `minDelta` for `patience` epochs. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Seeds initialization, shuffling, augmentation and dropout. Default 0. */
  seed?: number;
  /** Stops after the current batch and saves a checkpoint. */
  signal?: AbortSignal;
  onEvent?: FitListener;
  /** Saves `last` after every epoch and on abort, and `best` when validation loss improves. */
  checkpoints?: { store: CheckpointStore; extra?: unknown };
  /** Continue from the store's `last` checkpoint when there is one (`true`), or from these checkpoint bytes. */
  resume?: boolean | Uint8Array;
}

/** AlexNet's optimizer, used when `fit` is given none. */
export const DEFAULT_OPTIMIZER: OptimizerConfig = { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 };

/** Refuses `fit` options out of range before anything is built, with a `TrainingError` that repeats the value. */
export function checkFitOptions(options: FitOptions): void {
  const { epochs, batchSize = 128, clipGradNorm, earlyStopping } = options;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new TrainingError(`fit: epochs must be a positive integer, received ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new TrainingError(`fit: batchSize must be a positive integer, received ${batchSize}`);
  if (clipGradNorm !== undefined && !(clipGradNorm > 0))
    throw new TrainingError(`fit: clipGradNorm must be > 0, received ${clipGradNorm}`);
  if (earlyStopping && !(Number.isInteger(earlyStopping.patience) && earlyStopping.patience >= 1)) {
    throw new TrainingError(
      `fit: earlyStopping.patience must be a positive integer, received ${earlyStopping.patience}`,
    );
  }
  if (options.resume === true && !options.checkpoints)
    throw new TrainingError('fit: resume: true needs checkpoints.store to resume from');
}

/** The layer that gives a container's output: its last child, all the way down. */
function lastLayer(model: Layer): Layer {
  let layer = model;
  while (layer.children.length > 0) layer = layer.children.at(-1) as Layer;
  return layer;
}

/**
 * The labels become one-hot vectors of the data's `classes` entries, so the
 * model (built) must give exactly that many outputs. Checked before the first
 * step: a mismatch otherwise surfaces as a loss's shape error that names
 * neither the layer nor the data.
 */
export function checkClasses(model: Layer, options: Pick<FitOptions, 'train' | 'validation'>): void {
  const input = model.inputShape;
  if (!input) return;
  const units = model.outputShape(input).at(-1);
  for (const [split, data] of [
    ['train', options.train],
    ['validation', options.validation],
  ] as const) {
    if (!data || data.classes === units) continue;
    const last = lastLayer(model).name;
    throw new TrainingError(
      `fit: the model's last layer ${last} has ${units} units, but ${split} has ${data.classes} classes: ` +
        `give ${last} units: ${data.classes} (or train on data with ${units} classes)`,
    );
  }
}
