import { augmentedShape } from '@convkit/data';
import type { Layer } from '@convkit/layers';
import { endEpoch, trainEpoch } from './fit-epoch.js';
import { checkClasses, checkFitOptions, DEFAULT_OPTIMIZER, type FitOptions } from './fit-options.js';
import { type FitResult, finish, startRun } from './fit-run.js';
import { createOptimizer } from './optimizers.js';
import { createSchedule } from './schedules.js';

export type { FitOptions } from './fit-options.js';
export type { FitResult } from './fit-run.js';

/**
 * Trains `model` (built here if it is not yet) with minibatch gradient
 * descent: seeded shuffles and augmentation, the optimizer and schedule
 * given, validation after every epoch, checkpoints that survive a crash and
 * resume bit for bit. Reports progress through `onEvent` and yields to the
 * event loop after every batch, so a page stays responsive and an
 * `AbortSignal` can stop it cleanly. Options out of range, data whose class
 * count differs from the model's outputs and a checkpoint of another model
 * throw a `TrainingError` that repeats the values.
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
  checkFitOptions(options);
  const { train, epochs, lr = 0.01, augment, seed = 0 } = options;
  const size = augment ? augmentedShape(augment, train.height, train.width) : [train.height, train.width];
  if (!model.built) model.build([...size, train.channels], { seed });
  checkClasses(model, options);
  const optimizer = createOptimizer(options.optimizer ?? DEFAULT_OPTIMIZER);
  const schedule = createSchedule(options.schedule ?? { type: 'constant' }, lr);
  try {
    const run = await startRun(model, options, optimizer, schedule);
    for (let epoch = run.progress.epoch; epoch < epochs; epoch++) {
      if (!(await trainEpoch(run, epoch))) return await finish(run, 'aborted');
      const stop = await endEpoch(run, epoch);
      if (stop) return await finish(run, stop);
    }
    return await finish(run, 'completed');
  } finally {
    // After `finish` has reported trainEnd: the awaits above keep that order.
    optimizer.dispose();
  }
}
