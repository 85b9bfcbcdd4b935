import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendInfo, initBackend } from '@convkit/backend';
import type { Layer } from '@convkit/layers';
import { directoryStore, evaluate, type FitEvent, fit } from '@convkit/train/node';
import { positiveInteger, positiveNumber, seedValue } from '../args.js';
import { composeConfig, fitAugmentToData, readConfigFile, type TrainConfig } from '../config.js';
import { checkConfig, checkConfigFields } from '../config-check.js';
import { type LoadedData, loadData } from '../datasets.js';
import { environment } from '../environment.js';
import { UsageError } from '../errors.js';
import { FilterRecorder } from '../filter-recorder.js';
import { buildModel, checkModelName } from '../model.js';
import { progressListener, progressMode } from '../progress.js';
import { defaultRunDir, openRunFolder, type RunFolder, readRunConfig } from '../run-folder.js';
import { prepareTrainingData } from '../training-data.js';

/** `convkit train`: returns the exit code (0 done, 130 interrupted with a checkpoint written). */
export async function trainCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { positionals, values } = parseTrainArgs(argv);
  const { config: resolved, dir, origin, fileAugment, resumedBatchSize } = resolveRun(values, positionals);
  let config = resolved;
  const mode = progressMode(values.json ?? false);
  const log = mode === 'json' ? (line: string) => process.stderr.write(`${line}\n`) : out;

  const backend = await startBackend(config.backend);
  const data = loadData(config.data);
  // A recipe's ImageNet crops do not fit MNIST or CIFAR; augmentation the user wrote is taken as written.
  if (!values.resume && !fileAugment)
    config = fitAugmentToData(config, data.train.height, data.train.width, config.data === 'mnist');
  const { train, validation, augment, input } = prepareTrainingData(config, data, origin);
  const model = buildModel(config.model, input, data.train.classes);
  // Built here, as fit would, so that an input too small for the network is refused before the run folder exists.
  model.build(input, { seed: config.seed });
  const run = openRunFolder(dir);
  const env = environment(backend);
  const runFiles = {
    'config.json': config,
    'environment.json': env,
    'data.json': {
      spec: config.data,
      source: data.source,
      height: data.train.height,
      width: data.train.width,
      channels: data.train.channels,
      classes: data.train.classes,
      classNames: data.classNames,
      train: train.count,
      validation: validation.count,
      test: data.test.count,
    },
  };
  // A resume rewrites these only once it has made progress: one that fails (a model mismatch, NaN at the first
  // step with a new --lr) leaves the run exactly as it was, so a plain --resume still continues it.
  let runFilesWritten = false;
  const writeRunFiles = async () => {
    if (runFilesWritten) return;
    runFilesWritten = true;
    for (const [name, value] of Object.entries(runFiles)) await run.writeJson(name, value);
  };
  if (!values.resume) await writeRunFiles();
  log(
    `convkit train ${config.model} on ${config.data} (${train.count} train / ${validation.count} validation / ${data.test.count} test), backend ${backend.name}: ${backend.reason ?? backend.device.description}`,
  );
  log(`run folder ${run.dir}`);

  const controller = new AbortController();
  // After the last epoch the checkpoints are whole: Ctrl-C then skips the test evaluation and the report.
  const finishing = new AbortController();
  let lastBatchDone = false;
  const onSigint = () => {
    if (controller.signal.aborted || finishing.signal.aborted) process.exit(130);
    if (lastBatchDone) {
      log(
        `\ninterrupt: training is complete; its checkpoint is written, the test evaluation and the report are skipped (later: convkit eval ${dir})`,
      );
      finishing.abort();
      return;
    }
    log('\ninterrupt: stopping after this batch and writing a checkpoint (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = progressListener(mode, mode === 'json' ? out : log);
  const filters = new FilterRecorder(model, run);
  try {
    const result = await fit(model, {
      train,
      validation,
      epochs: config.epochs,
      batchSize: config.batchSize,
      lr: config.lr,
      optimizer: config.optimizer,
      schedule: config.schedule,
      normalize: config.normalize,
      seed: config.seed,
      signal: controller.signal,
      checkpoints: { store: directoryStore(run.checkpoints), extra: { config } },
      resume: values.resume !== undefined && run.resumable(log),
      ...(augment ? { augment } : {}),
      ...(config.evaluationAugment ? { evaluationAugment: config.evaluationAugment } : {}),
      ...(config.labelSmoothing !== undefined ? { labelSmoothing: config.labelSmoothing } : {}),
      ...(config.auxiliaryWeight !== undefined ? { auxiliaryWeight: config.auxiliaryWeight } : {}),
      ...(config.clipGradNorm !== undefined ? { clipGradNorm: config.clipGradNorm } : {}),
      ...(config.earlyStopping ? { earlyStopping: config.earlyStopping } : {}),
      onEvent: async (e: FitEvent) => {
        if (e.type === 'trainStart' && e.batch > 0 && resumedBatchSize !== undefined)
          checkResumedBatch(resumedBatchSize, config.batchSize, e.epoch, e.batch);
        if (e.type === 'batchEnd' && e.epoch + 1 === config.epochs && e.batch + 1 === e.batches) lastBatchDone = true;
        progress.listener(e);
        if (e.type === 'checkpoint') await writeRunFiles();
        // First: on trainStart it clears killed writes' temporaries before anything writes into the folder.
        await run.track(e);
        if (e.type === 'trainStart') await filters.start(e.epoch);
        if (e.type === 'epochEnd') await filters.record(e.record.epoch);
      },
    });
    progress.stop();
    if (finishing.signal.aborted) return 130;
    if (result.reason === 'aborted') {
      log(
        `stopped at epoch ${result.progress.epoch + 1}, batch ${result.progress.batch}; continue with: convkit train --resume ${dir}`,
      );
      return 130;
    }
    if (controller.signal.aborted) {
      log(
        `the last epoch was complete and its checkpoint is written; the test evaluation and the report are skipped (later: convkit eval ${dir})`,
      );
      return 130;
    }
    const report = await testAndReport(model, data, config, run, filters, finishing.signal);
    if (!report) return 130;
    log(report);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

/** The test-set evaluation, the filter pictures and report.html; undefined when `signal` stopped it (Ctrl-C). */
async function testAndReport(
  model: Layer,
  data: LoadedData,
  config: TrainConfig,
  run: RunFolder,
  filters: FilterRecorder,
  signal: AbortSignal,
): Promise<string | undefined> {
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
  await filters.finish();
  const report = await (await import('../report.js')).writeReport(run.dir, { model });
  return `test: loss ${test.loss.toFixed(4)}, top-1 error ${(100 * test.top1Error).toFixed(2)} % (accuracy ${(100 * (1 - test.top1Error)).toFixed(2)} %), top-5 error ${(100 * test.top5Error).toFixed(2)} %\nreport ${report}`;
}

function parseTrainArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      data: { type: 'string' },
      recipe: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
}

type TrainValues = ReturnType<typeof parseTrainArgs>['values'];

/**
 * The run's folder and its effective configuration (the recipe, the config
 * file, the flags; or the saved config.json and the flags on resume), checked
 * as a whole before anything is written.
 */
function resolveRun(values: TrainValues, positionals: string[]) {
  const flags = {
    data: values.data,
    recipe: values.recipe,
    epochs: positiveInteger('epochs', values.epochs),
    batchSize: positiveInteger('batch', values.batch),
    lr: positiveNumber('lr', values.lr),
    seed: seedValue(values.seed),
    backend: values.backend,
    limit: positiveInteger('limit', values.limit),
  };
  let config: TrainConfig;
  let dir: string;
  let origin: string;
  let fileAugment = false;
  let resumedBatchSize: number | undefined;
  if (values.resume) {
    dir = values.resume;
    origin = join(dir, 'config.json');
    const saved = readRunConfig(dir);
    resumedBatchSize = saved.batchSize;
    checkConfigFields(saved as unknown as Record<string, unknown>, origin);
    config = {
      ...saved,
      ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
    } as TrainConfig;
    if (positionals[0] && positionals[0] !== saved.model) {
      throw new UsageError(`--resume ${dir} is a run of ${saved.model}, not ${positionals[0]}`);
    }
  } else {
    const model = positionals[0];
    if (!model) throw new UsageError('convkit train needs a model name (convkit models lists them)');
    checkModelName(model);
    origin = values.config ? `--config ${values.config}` : 'the configuration';
    const file = values.config ? readConfigFile(values.config) : {};
    fileAugment = file.augment !== undefined;
    config = composeConfig({ model, ...flags } as Partial<TrainConfig> & { model: string }, file);
    dir = values.out ?? defaultRunDir(model);
    if (existsSync(join(dir, 'config.json'))) {
      throw new UsageError(`${dir} already holds a run: continue it with --resume ${dir}, or choose another --out`);
    }
  }
  checkModelName(config.model);
  checkConfig(config, origin);
  return { config, dir, origin, fileAugment, resumedBatchSize };
}

/**
 * A run stopped mid-epoch continues with the batch size it stopped with: the
 * epoch's order is replayed batch by batch up to the checkpoint, so another
 * size would skip or repeat examples of that epoch. Refused rather than
 * silently changed.
 */
function checkResumedBatch(saved: number, requested: number, epoch: number, batch: number): void {
  if (saved === requested) return;
  throw new UsageError(
    `--batch ${requested}: the run stopped in the middle of epoch ${epoch + 1} (after ${batch} batches of ${saved}), and another batch size would skip or repeat part of that epoch. Resume with --batch ${saved} (or without --batch)`,
  );
}

async function startBackend(name: string): Promise<BackendInfo> {
  const known = ['auto', 'cpu', 'wasm', 'webgpu', 'native', 'cuda'];
  if (!known.includes(name))
    throw new UsageError(`--backend must be one of ${known.join(', ')}, received ${JSON.stringify(name)}`);
  return initBackend(name as 'auto');
}
