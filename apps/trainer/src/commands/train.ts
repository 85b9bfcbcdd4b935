import { type BackendInfo, initBackend } from '@convkit/backend';
import type { Layer } from '@convkit/layers';
import { directoryStore, evaluate, type FitEvent, fit } from '@convkit/train/node';
import { fitAugmentToData, type TrainConfig } from '../config.js';
import { type LoadedData, loadData } from '../datasets.js';
import { environment } from '../environment.js';
import { FilterRecorder } from '../filter-recorder.js';
import { Interrupts } from '../interrupts.js';
import { buildModel } from '../model.js';
import { type Progress, progressListener, progressMode } from '../progress.js';
import { checkResumedOrder, parseTrainArgs, resolveRun } from '../resolve-run.js';
import { lockRun, openRunFolder, type RunFolder } from '../run-folder.js';
import { DEFAULT_TARGET_ERROR, RunClock, reachedLine, totalLine } from '../timing.js';
import { prepareTrainingData, type TrainingData } from '../training-data.js';

/** `convkit train`: returns the exit code (0 done, 130 interrupted with a checkpoint written). */
export async function trainCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { positionals, values } = parseTrainArgs(argv);
  const { config: resolved, dir, origin, fileAugment, saved } = resolveRun(values, positionals);
  let config = resolved;
  const mode = progressMode(values.json ?? false);
  const log = mode === 'json' ? (line: string) => process.stderr.write(`${line}\n`) : out;

  const backend = await initBackend(config.backend);
  const data = loadData(config.data);
  // A recipe's ImageNet crops do not fit MNIST or CIFAR; augmentation the user wrote is taken as written.
  if (!saved && !fileAugment)
    config = fitAugmentToData(config, data.train.height, data.train.width, config.data === 'mnist');
  const prepared = prepareTrainingData(config, data, origin);
  const model = buildModel(config.model, prepared.input, data.train.classes);
  // Built here, as fit would, so that an input too small for the network is refused before the run folder exists.
  model.build(prepared.input, { seed: config.seed });
  const run = openRunFolder(dir);
  const unlock = lockRun(run.dir);
  // A resume rewrites these only once it has made progress: one that fails (a model mismatch, NaN at the first
  // step with a new --lr) leaves the run exactly as it was, so a plain --resume still continues it.
  const writeRunFiles = once(() => run.writeJsonFiles(runFiles(config, environment(backend), data, prepared)));
  const interrupts = new Interrupts(log, dir);
  process.on('SIGINT', interrupts.onSigint);
  try {
    if (!saved) await writeRunFiles();
    log(headLine(config, prepared, data, backend));
    log(`run folder ${run.dir}`);
    const progress = progressListener(mode, mode === 'json' ? out : log);
    const clock = new RunClock(config.targetError ?? DEFAULT_TARGET_ERROR);
    const filters = new FilterRecorder(model, run);
    const result = await fit(model, {
      ...fitOptions(config, prepared),
      signal: interrupts.training.signal,
      checkpoints: { store: directoryStore(run.checkpoints), extra: { config } },
      resume: saved !== undefined && run.resumable(log),
      onEvent: async (e: FitEvent) => {
        if (e.type === 'trainStart' && e.batch > 0 && saved) checkResumedOrder(saved, config, e.epoch, e.batch);
        const lastBatch = e.type === 'batchEnd' && e.epoch + 1 === config.epochs && e.batch + 1 === e.batches;
        if (lastBatch || e.type === 'trainEnd') interrupts.trainingDone();
        progress.listener(e);
        noteTarget(clock, progress, e);
        if (e.type === 'checkpoint') await writeRunFiles();
        // First: on trainStart it clears killed writes' temporaries before anything writes into the folder.
        await run.track(e);
        if (e.type === 'trainStart') await filters.start(e.epoch);
        if (e.type === 'epochEnd') await filters.record(e.record.epoch);
      },
    });
    progress.stop();
    interrupts.trainingDone();
    if (interrupts.finishing.signal.aborted) return 130;
    if (result.reason === 'aborted') {
      log(
        `stopped at epoch ${result.progress.epoch + 1}, batch ${result.progress.batch}; continue with: convkit train --resume ${dir}`,
      );
      return 130;
    }
    if (interrupts.stopped) {
      log(
        `the last epoch was complete and its checkpoint is written; the test evaluation and the report are skipped (later: convkit eval ${dir})`,
      );
      return 130;
    }
    const { signal } = interrupts.finishing;
    const report = await testAndReport({ model, data, config, run, filters, signal, input: prepared.input, clock });
    if (!report) return 130;
    log(report);
    log(totalLine(clock.timing()));
    return 0;
  } finally {
    process.off('SIGINT', interrupts.onSigint);
    unlock();
    model.dispose();
  }
}

/** What the run folder records besides checkpoints and metrics: the effective configuration, the machine, the data. */
function runFiles(config: TrainConfig, environment: object, data: LoadedData, prepared: TrainingData) {
  return {
    'config.json': config,
    'environment.json': environment,
    'data.json': {
      spec: config.data,
      source: data.source,
      height: data.train.height,
      width: data.train.width,
      channels: data.train.channels,
      classes: data.train.classes,
      classNames: data.classNames,
      train: prepared.train.count,
      validation: prepared.validation.count,
      test: data.test.count,
    },
  };
}

/** The part of fit's options that comes from the configuration and the prepared data. */
function fitOptions(config: TrainConfig, { train, validation, augment }: TrainingData) {
  return {
    train,
    validation,
    epochs: config.epochs,
    batchSize: config.batchSize,
    lr: config.lr,
    optimizer: config.optimizer,
    schedule: config.schedule,
    normalize: config.normalize,
    seed: config.seed,
    ...(augment ? { augment } : {}),
    ...(config.evaluationAugment ? { evaluationAugment: config.evaluationAugment } : {}),
    ...(config.labelSmoothing !== undefined ? { labelSmoothing: config.labelSmoothing } : {}),
    ...(config.auxiliaryWeight !== undefined ? { auxiliaryWeight: config.auxiliaryWeight } : {}),
    ...(config.clipGradNorm !== undefined ? { clipGradNorm: config.clipGradNorm } : {}),
    ...(config.earlyStopping ? { earlyStopping: config.earlyStopping } : {}),
  };
}

/** `f` run at most once; later calls wait for the same run. */
function once(f: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= f();
    return done;
  };
}

/** The run's first line: model, data, the split's sizes, the backend (with its threads) and why it was chosen. */
function headLine(config: TrainConfig, prepared: TrainingData, data: LoadedData, backend: BackendInfo): string {
  const threads = backend.threads > 1 ? ` (${backend.threads} threads)` : '';
  return `convkit train ${config.model} on ${config.data} (${prepared.train.count} train / ${prepared.validation.count} validation / ${data.test.count} test), backend ${backend.name}${threads}: ${backend.reason ?? backend.device.description}`;
}

/** Says, between the epoch lines (with --json as a `targetReached` event), when validation error first reaches the target. */
function noteTarget(clock: RunClock, progress: Progress, e: FitEvent): void {
  const reached = clock.observe(e);
  if (reached)
    progress.note(reachedLine(reached, clock.target), { type: 'targetReached', targetError: clock.target, ...reached });
}

/** The test-set evaluation, the filter pictures and report.html; undefined when `signal` stopped it (Ctrl-C). */
async function testAndReport({
  model,
  data,
  config,
  run,
  filters,
  signal,
  input,
  clock,
}: {
  model: Layer;
  data: LoadedData;
  config: TrainConfig;
  run: RunFolder;
  filters: FilterRecorder;
  signal: AbortSignal;
  input: readonly number[];
  clock: RunClock;
}): Promise<string | undefined> {
  const test = await evaluate(model, data.test, {
    normalize: config.normalize,
    signal,
    ...(config.evaluationAugment ? { augment: config.evaluationAugment } : {}),
  }).catch((error: unknown) => {
    if (signal.aborted) return undefined;
    throw error;
  });
  if (!test || signal.aborted) return undefined;
  const evaluation = {
    split: 'test',
    examples: test.examples,
    loss: test.loss,
    top1Error: test.top1Error,
    top5Error: test.top5Error,
    perClassAccuracy: test.perClassAccuracy(),
    confusion: test.matrix,
    classNames: data.classNames,
  };
  await run.writeJson('evaluation.json', evaluation);
  if (signal.aborted) return undefined;
  const started = performance.now();
  await filters.finish();
  // The pictures search a sample of the test set (REPORT_SAMPLE images), so the report takes seconds, not minutes.
  const { drawReportPictures } = await import('../report-pictures.js');
  await drawReportPictures(model, {
    test: data.test,
    classNames: data.classNames,
    input,
    normalize: config.normalize,
    dir: run.dir,
  });
  // Read by the report: the time to the target error and the wall time so far, as the last line prints them.
  await run.writeJson('timing.json', clock.timing());
  const report = await (await import('../report.js')).writeReport(run.dir, { model });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return `test: loss ${test.loss.toFixed(4)}, top-1 error ${(100 * test.top1Error).toFixed(2)} % (accuracy ${(100 * (1 - test.top1Error)).toFixed(2)} %), top-5 error ${(100 * test.top5Error).toFixed(2)} %\nreport ${report} (pictures and report in ${seconds} s)`;
}
