import {
  type AugmentOptions,
  augmentedShape,
  type DatasetSource,
  type ImageDataset,
  type Normalize,
  streamBatches,
} from '@convkit/data';
import { applyWithAuxiliary, type Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  type CheckpointStore,
  decodeCheckpoint,
  type EpochRecord,
  encodeCheckpoint,
  loadWeights,
  type Progress,
} from './checkpoint.js';
import { TrainingError } from './errors.js';
import { evaluate } from './evaluate.js';
import type { FitListener, StopReason } from './events.js';
import { withAuxiliary } from './losses.js';
import { createOptimizer, type Optimizer, type OptimizerConfig } from './optimizers.js';
import { checkSlots, exists, refuseLostProgress, repairBest } from './resume.js';
import { createSchedule, type ScheduleConfig } from './schedules.js';
import { mixSeed } from './seeds.js';

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

export interface FitResult {
  reason: StopReason;
  history: EpochRecord[];
  progress: Progress;
}

const DEFAULT_OPTIMIZER: OptimizerConfig = { type: 'sgd', momentum: 0.9, weightDecay: 0.0005 };

// setImmediate lets Node's I/O and signals in; in a page a macrotask lets it paint and take clicks.
const yieldToEventLoop = () =>
  new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

function freshProgress(): Progress {
  return {
    epoch: 0,
    batch: 0,
    step: 0,
    history: [],
    best: { validationLoss: Number.POSITIVE_INFINITY, epoch: -1 },
    epochsWithoutImprovement: 0,
    schedule: { scale: 1, best: Number.POSITIVE_INFINITY, badEpochs: 0, cooldownLeft: 0 },
    partial: { lossSum: 0, correct: 0, seen: 0, seconds: 0 },
  };
}

function check(options: FitOptions): void {
  const { epochs, batchSize = 128, clipGradNorm, earlyStopping } = options;
  if (!(Number.isInteger(epochs) && epochs >= 1))
    throw new RangeError(`fit: epochs must be a positive integer, received ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new RangeError(`fit: batchSize must be a positive integer, received ${batchSize}`);
  if (clipGradNorm !== undefined && !(clipGradNorm > 0))
    throw new RangeError(`fit: clipGradNorm must be > 0, received ${clipGradNorm}`);
  if (earlyStopping && !(Number.isInteger(earlyStopping.patience) && earlyStopping.patience >= 1)) {
    throw new RangeError(`fit: earlyStopping.patience must be a positive integer, received ${earlyStopping.patience}`);
  }
  if (options.resume === true && !options.checkpoints)
    throw new RangeError('fit: resume: true needs checkpoints.store to resume from');
}

/**
 * Trains `model` (built here if it is not yet) with minibatch gradient
 * descent: seeded shuffles and augmentation, the optimizer and schedule
 * given, validation after every epoch, checkpoints that survive a crash and
 * resume bit for bit. Reports progress through `onEvent` and yields to the
 * event loop after every batch, so a page stays responsive and an
 * `AbortSignal` can stop it cleanly.
 *
 * @example
 * ```ts
 * const model = getModel('lenet5-modern');
 * const { history } = await fit(model, {
 *   train, validation, epochs: 10, batchSize: 64,
 *   onEvent: (e) => e.type === 'epochEnd' && console.log(e.record),
 * });
 * ```
 */
export async function fit(model: Layer, options: FitOptions): Promise<FitResult> {
  check(options);
  const { train, validation, epochs, batchSize = 128, lr = 0.01, augment, normalize = 'unit', seed = 0 } = options;
  const { signal, onEvent, checkpoints, earlyStopping } = options;
  const emit = async (event: Parameters<FitListener>[0]) => {
    if (onEvent) await onEvent(event);
  };
  const inputShape = [
    ...(augment ? augmentedShape(augment, train.height, train.width) : [train.height, train.width]),
    train.channels,
  ];
  if (!model.built) model.build(inputShape, { seed });
  const optimizer = createOptimizer(options.optimizer ?? DEFAULT_OPTIMIZER);
  const schedule = createSchedule(options.schedule ?? { type: 'constant' }, lr);
  let progress = freshProgress();
  const store = checkpoints?.store;
  // Named in the non-finite-loss message only once it exists.
  let lastExists = false;

  const save = async (name: string) => {
    if (!checkpoints) return;
    const bytes = await encodeCheckpoint(model, await optimizer.state(), progress, checkpoints.extra ?? null);
    await checkpoints.store.save(name, bytes);
    if (name === 'last') lastExists = true;
    await emit({
      type: 'checkpoint',
      name,
      location: checkpoints.store.describe(name),
      epoch: progress.epoch,
      batch: progress.batch,
    });
  };

  try {
    const saved = options.resume === true ? await store?.load('last') : options.resume || undefined;
    if (store && options.resume === true && !saved) await refuseLostProgress(store);
    if (saved) {
      const where = options.resume === true ? store?.describe('last') : '<resume bytes>';
      const checkpoint = decodeCheckpoint(saved, where);
      loadWeights(model, checkpoint.weights, where);
      checkSlots(model, options.optimizer ?? DEFAULT_OPTIMIZER, checkpoint.optimizer, where);
      optimizer.restore(checkpoint.optimizer);
      schedule.restore(checkpoint.progress.schedule);
      progress = checkpoint.progress;
      if (store && options.resume === true && validation) {
        const repaired = await repairBest(store, saved, progress);
        if (repaired) await emit(repaired);
      }
    }
    lastExists = store ? Boolean(saved && options.resume === true) || (await exists(store, 'last')) : false;
    const batches = Math.ceil(train.count / batchSize);
    await emit({
      type: 'trainStart',
      epochs,
      batchesPerEpoch: batches,
      examples: train.count,
      epoch: progress.epoch,
      batch: progress.batch,
      backend: tf.getBackend(),
      history: [...progress.history],
    });
    const step = trainingStep(model, optimizer, options);

    for (let epoch = progress.epoch; epoch < epochs; epoch++) {
      await emit({ type: 'epochStart', epoch, epochs, lr: schedule.rate(epoch) });
      const started = performance.now();
      const previousSeconds = progress.partial.seconds;
      const stream = streamBatches(train, {
        batchSize,
        seed: mixSeed(seed, epoch),
        normalize,
        ...(augment ? { augment } : {}),
      });
      let batch = 0;
      let timedExamples = 0;
      let timedBatches = 0;
      for await (const { x, y } of stream) {
        if (batch < progress.batch) {
          // Resuming mid-epoch: replay the order (and augmentation draws) up to where the checkpoint stopped.
          tf.dispose([x, y]);
          batch++;
          continue;
        }
        const rate = schedule.rate(epoch, batch / batches);
        const { loss, correct } = await step(x, y, rate, mixSeed(seed, progress.step, 1), () => ({
          epoch,
          batch,
          step: progress.step,
          where: store && (lastExists ? store.describe('last') : null),
        }));
        const b = x.shape[0];
        tf.dispose([x, y]);
        batch++;
        timedExamples += b;
        timedBatches++;
        progress.batch = batch;
        progress.step++;
        progress.partial.lossSum += loss * b;
        progress.partial.correct += correct;
        progress.partial.seen += b;
        const elapsed = (performance.now() - started) / 1000;
        progress.partial.seconds = previousSeconds + elapsed;
        await emit({
          type: 'batchEnd',
          epoch,
          batch: batch - 1,
          batches,
          step: progress.step,
          loss,
          accuracy: correct / b,
          lr: rate,
          examplesPerSecond: timedExamples / elapsed,
          eta: ((batches - batch) * elapsed) / timedBatches,
        });
        await yieldToEventLoop();
        if (signal?.aborted && batch < batches) {
          await save('last');
          await emit({ type: 'trainEnd', reason: 'aborted', history: progress.history });
          return { reason: 'aborted', history: progress.history, progress };
        }
      }

      const { lossSum, correct, seen, seconds } = progress.partial;
      const record: EpochRecord = {
        epoch,
        lr: schedule.rate(epoch),
        trainLoss: lossSum / seen,
        trainTop1Error: 1 - correct / seen,
        seconds,
        examplesPerSecond: seen / seconds,
      };
      if (validation) {
        const m = await evaluate(model, validation, {
          batchSize: Math.max(batchSize, 256),
          normalize,
          ...(options.evaluationAugment ? { augment: options.evaluationAugment } : {}),
        });
        record.validationLoss = m.loss;
        record.validationTop1Error = m.top1Error;
        record.validationTop5Error = m.top5Error;
      }
      const monitored = record.validationLoss ?? record.trainLoss;
      schedule.observe(monitored);
      const improved = monitored < progress.best.validationLoss - (earlyStopping?.minDelta ?? 0);
      if (improved) progress.best = { validationLoss: monitored, epoch };
      progress.epochsWithoutImprovement = improved ? 0 : progress.epochsWithoutImprovement + 1;
      progress.history.push(record);
      progress.epoch = epoch + 1;
      progress.batch = 0;
      progress.partial = { lossSum: 0, correct: 0, seen: 0, seconds: 0 };
      progress.schedule = schedule.state();
      await emit({ type: 'epochEnd', epochs, record });
      // `best` before `last`: a crash between the two (or during either) leaves `last` at the
      // previous epoch, so the resume replays this epoch and writes `best` again. The other
      // order left `best` one improvement behind for good.
      if (improved && validation) await save('best');
      await save('last');
      if (earlyStopping && progress.epochsWithoutImprovement >= earlyStopping.patience && epoch + 1 < epochs) {
        await emit({ type: 'trainEnd', reason: 'earlyStopping', history: progress.history });
        return { reason: 'earlyStopping', history: progress.history, progress };
      }
      if (signal?.aborted && epoch + 1 < epochs) {
        await emit({ type: 'trainEnd', reason: 'aborted', history: progress.history });
        return { reason: 'aborted', history: progress.history, progress };
      }
    }
    await emit({ type: 'trainEnd', reason: 'completed', history: progress.history });
    return { reason: 'completed', history: progress.history, progress };
  } finally {
    optimizer.dispose();
  }
}

interface StepContext {
  epoch: number;
  batch: number;
  step: number;
  /** The last good checkpoint; `null` when the store has none yet, `undefined` without a store. */
  where: string | null | undefined;
}

/**
 * One minibatch: forward in training mode, the loss (auxiliary heads
 * weighted), gradients of the trainable weights, optional clipping, a check
 * that the loss is finite *before* anything is updated, and the optimizer
 * step. Returns the batch's loss and number of correct top-1 predictions.
 */
function trainingStep(model: Layer, optimizer: Optimizer, options: FitOptions) {
  const { labelSmoothing = 0, auxiliaryWeight = 0.3, clipGradNorm } = options;
  const named = model.namedWeights();
  const trainable = named.filter(([, v]) => v.trainable);
  const nameOf = new Map(trainable.map(([name, v]) => [v.name, name]));
  return async (x: tf.Tensor, y: tf.Tensor, lr: number, dropoutSeed: number, context: () => StepContext) => {
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
      if (!Number.isFinite(loss)) {
        const { epoch, batch, step, where } = context();
        throw new TrainingError(
          `the loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1} (step ${step + 1}, lr ${lr}); training stopped before this step changed any weight` +
            (where
              ? `. The last good checkpoint is ${where}`
              : where === null
                ? '. No checkpoint was written yet'
                : '') +
            '. Try a lower lr, gradient clipping (clipGradNorm) or check the inputs for NaN.',
        );
      }
      if (clipGradNorm !== undefined) clip(gradients, clipGradNorm);
      optimizer.step(named, gradients, lr);
      return { loss: loss as number, correct: hits as number };
    } finally {
      tf.dispose([value, correct as tf.Scalar, ...gradients.values()]);
    }
  };
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
