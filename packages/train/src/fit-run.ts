import type { Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import {
  type Checkpoint,
  decodeCheckpoint,
  type EpochRecord,
  encodeCheckpoint,
  loadWeights,
  type Progress,
} from './checkpoint.js';
import { TrainingError } from './errors.js';
import type { FitEvent, StopReason } from './events.js';
import { DEFAULT_OPTIMIZER, type FitOptions } from './fit-options.js';
import type { Optimizer } from './optimizers.js';
import { checkSlots, exists, refuseLostProgress, repairBest } from './resume.js';
import type { Schedule } from './schedules.js';
import { type TrainingStep, trainingStep } from './training-step.js';

/** What `fit` returns. */
export interface FitResult {
  reason: StopReason;
  history: EpochRecord[];
  progress: Progress;
}

/** One call of `fit`: what its epochs share. */
export interface FitRun {
  readonly model: Layer;
  readonly options: FitOptions;
  readonly optimizer: Optimizer;
  readonly schedule: Schedule;
  /** Fresh, or the resumed checkpoint's; updated in place as batches and epochs end. */
  readonly progress: Progress;
  readonly batchesPerEpoch: number;
  readonly step: TrainingStep;
  /** Whether the store holds `last`: the non-finite-loss message names it only once it exists. */
  lastExists: boolean;
  emit(event: FitEvent): Promise<void>;
}

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

/** Resumes when asked (weights, optimizer slots, schedule and progress), then reports `trainStart`. */
export async function startRun(
  model: Layer,
  options: FitOptions,
  optimizer: Optimizer,
  schedule: Schedule,
): Promise<FitRun> {
  const { onEvent } = options;
  const emit = async (event: FitEvent) => {
    if (onEvent) await onEvent(event);
  };
  const { progress, lastExists } = await resume(model, options, optimizer, schedule, emit);
  const batchesPerEpoch = Math.ceil(options.train.count / (options.batchSize ?? 128));
  await emit({
    type: 'trainStart',
    epochs: options.epochs,
    batchesPerEpoch,
    examples: options.train.count,
    epoch: progress.epoch,
    batch: progress.batch,
    backend: tf.getBackend(),
    history: [...progress.history],
  });
  const step = trainingStep(model, optimizer, options);
  return { model, options, optimizer, schedule, progress, batchesPerEpoch, step, lastExists, emit };
}

async function resume(
  model: Layer,
  options: FitOptions,
  optimizer: Optimizer,
  schedule: Schedule,
  emit: FitRun['emit'],
): Promise<{ progress: Progress; lastExists: boolean }> {
  const store = options.checkpoints?.store;
  const fromStore = options.resume === true;
  const saved = options.resume === true ? await store?.load('last') : options.resume || undefined;
  if (store && fromStore && !saved) await refuseLostProgress(store);
  let progress = freshProgress();
  if (saved) {
    const where = fromStore ? store?.describe('last') : '<resume bytes>';
    const checkpoint = decodeCheckpoint(saved, where);
    loadOwnWeights(model, checkpoint.weights, where);
    checkSlots(model, options.optimizer ?? DEFAULT_OPTIMIZER, checkpoint.optimizer, where);
    optimizer.restore(checkpoint.optimizer);
    schedule.restore(checkpoint.progress.schedule);
    progress = checkpoint.progress;
    if (store && fromStore && options.validation) {
      const repaired = await repairBest(store, saved, progress);
      if (repaired) await emit(repaired);
    }
  }
  const lastExists = store ? Boolean(saved && fromStore) || (await exists(store, 'last')) : false;
  return { progress, lastExists };
}

/**
 * The resumed checkpoint's weights, or a `TrainingError` that says how to get
 * going again: a checkpoint saved by another model (or for another input size
 * or class count) cannot continue this one, but the caller can start over.
 */
function loadOwnWeights(model: Layer, weights: Checkpoint['weights'], where = '<resume bytes>'): void {
  try {
    loadWeights(model, weights, where);
  } catch (error) {
    if (!(error instanceof TrainingError)) throw error;
    throw new TrainingError(
      `cannot resume: ${error.message}. It was saved by another model, or for another input size or class count: ` +
        `resume with the model it was saved for, or pass resume: false to train this one from scratch ` +
        '(convkit train: resume without flags that change the model or data, or start a new run without --resume)',
      { cause: error },
    );
  }
}

/** Writes checkpoint `name` of the run's current state, when the run has a store, and reports it. */
export async function save(run: FitRun, name: 'best' | 'last'): Promise<void> {
  const { checkpoints } = run.options;
  if (!checkpoints) return;
  const bytes = await encodeCheckpoint(run.model, await run.optimizer.state(), run.progress, checkpoints.extra ?? null);
  await checkpoints.store.save(name, bytes);
  if (name === 'last') run.lastExists = true;
  await run.emit({
    type: 'checkpoint',
    name,
    location: checkpoints.store.describe(name),
    epoch: run.progress.epoch,
    batch: run.progress.batch,
  });
}

/** The last good checkpoint for an error message: `null` when the store has none yet, `undefined` without a store. */
export function lastCheckpoint(run: FitRun): string | null | undefined {
  const store = run.options.checkpoints?.store;
  return store && (run.lastExists ? store.describe('last') : null);
}

/** Reports `trainEnd` and returns the result. */
export async function finish(run: FitRun, reason: StopReason): Promise<FitResult> {
  await run.emit({ type: 'trainEnd', reason, history: run.progress.history });
  return { reason, history: run.progress.history, progress: run.progress };
}
