import { streamBatches } from '@convkit/data';
import * as tf from '@tensorflow/tfjs-core';
import type { EpochRecord } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import type { StopReason } from './events.js';
import { type FitRun, lastCheckpoint, save } from './fit-run.js';
import { mixSeed } from './seeds.js';

// setImmediate lets Node's I/O and signals in; in a page a macrotask lets it paint and take clicks.
const yieldToEventLoop = () =>
  new Promise<void>((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));

/**
 * Trains epoch `epoch`'s batches in its seeded order, reporting each and
 * yielding to the event loop after it. Returns false when the signal aborted
 * it before its last batch, once `last` is saved.
 */
export async function trainEpoch(run: FitRun, epoch: number): Promise<boolean> {
  const { options, schedule, progress, batchesPerEpoch: batches } = run;
  const { train, batchSize = 128, normalize = 'unit', augment, seed = 0, signal } = options;
  await run.emit({ type: 'epochStart', epoch, epochs: options.epochs, lr: schedule.rate(epoch) });
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
    const { loss, correct } = await run.step(x, y, rate, mixSeed(seed, progress.step, 1), () => ({
      epoch,
      batch,
      step: progress.step,
      where: lastCheckpoint(run),
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
    await run.emit({
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
      await save(run, 'last');
      return false;
    }
  }
  return true;
}

/**
 * Ends epoch `epoch`: validation, the schedule's and early stopping's view of
 * the monitored loss, the epoch's record, `best` and `last`. Returns why
 * training stops here, if it does before the last epoch.
 */
export async function endEpoch(run: FitRun, epoch: number): Promise<StopReason | undefined> {
  const { options, schedule, progress } = run;
  const { epochs, earlyStopping, signal } = options;
  const record = await epochRecord(run, epoch);
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
  await run.emit({ type: 'epochEnd', epochs, record });
  // `best` before `last`: a crash between the two (or during either) leaves `last` at the
  // previous epoch, so the resume replays this epoch and writes `best` again. The other
  // order left `best` one improvement behind for good.
  if (improved && options.validation) await save(run, 'best');
  await save(run, 'last');
  if (earlyStopping && progress.epochsWithoutImprovement >= earlyStopping.patience && epoch + 1 < epochs)
    return 'earlyStopping';
  if (signal?.aborted && epoch + 1 < epochs) return 'aborted';
  return undefined;
}

/** The epoch's training loss and error from its batches, and the validation metrics when there is validation data. */
async function epochRecord(run: FitRun, epoch: number): Promise<EpochRecord> {
  const { options, progress } = run;
  const { validation, batchSize = 128, normalize = 'unit' } = options;
  const { lossSum, correct, seen, seconds } = progress.partial;
  const record: EpochRecord = {
    epoch,
    lr: run.schedule.rate(epoch),
    trainLoss: lossSum / seen,
    trainTop1Error: 1 - correct / seen,
    seconds,
    examplesPerSecond: seen / seconds,
  };
  if (validation) {
    const m = await evaluate(run.model, validation, {
      batchSize: Math.max(batchSize, 256),
      normalize,
      ...(options.evaluationAugment ? { augment: options.evaluationAugment } : {}),
    });
    record.validationLoss = m.loss;
    record.validationTop1Error = m.top1Error;
    record.validationTop5Error = m.top5Error;
  }
  return record;
}
