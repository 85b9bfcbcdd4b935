/**
 * @convkit/train — turns a convkit model into a trained one: losses,
 * optimizers, schedules and metrics as in the papers, `fit()` with typed
 * events, checkpoints that survive a crash and resume bit for bit, and the
 * papers' recipes as data. Browser-safe; `@convkit/train/node` adds
 * checkpoint folders.
 *
 * @packageDocumentation
 */
export type { Checkpoint, CheckpointStore, EpochRecord, Progress } from './checkpoint.js';
export { decodeCheckpoint, encodeCheckpoint, loadWeights, memoryStore } from './checkpoint.js';
export { TrainingError } from './errors.js';
export type { EvaluateOptions } from './evaluate.js';
export { evaluate } from './evaluate.js';
export type { FitEvent, FitListener, StopReason } from './events.js';
export type { FitOptions, FitResult } from './fit.js';
export { fit } from './fit.js';
export { softmaxCrossEntropy, withAuxiliary } from './losses.js';
export { ClassificationMetrics, inTopK } from './metrics.js';
export type { Optimizer, OptimizerConfig, OptimizerState, SavedTensor } from './optimizers.js';
export { createOptimizer } from './optimizers.js';
export type { PytorchRunConfig, PytorchTrainOptions } from './pytorch/train-py.js';
export { pytorchTrainPy } from './pytorch/train-py.js';
export type { Recipe } from './recipes.js';
export { getRecipe, recipes } from './recipes.js';
export type { Schedule, ScheduleConfig, ScheduleState } from './schedules.js';
export { createSchedule } from './schedules.js';
export { mixSeed } from './seeds.js';
