import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendInfo, initBackend } from '@convkit/backend';
import {
  augmentedShape,
  colorBasis,
  type ImageDataset,
  shuffledIndices,
  subset,
  trainValidationSplit,
} from '@convkit/data';
import { directoryStore, evaluate, type FitEvent, fit } from '@convkit/train/node';
import { nonNegative, positiveInteger } from '../args.js';
import { composeConfig, fitAugmentToData, readConfigFile, type TrainConfig } from '../config.js';
import { loadData } from '../datasets.js';
import { environment } from '../environment.js';
import { UsageError } from '../errors.js';
import { FilterRecorder } from '../filter-recorder.js';
import { buildModel, checkModelName } from '../model.js';
import { progressListener, progressMode } from '../progress.js';
import { defaultRunDir, openRunFolder, readRunConfig } from '../run-folder.js';

/** `convkit train`: returns the exit code (0 done, 130 interrupted with a checkpoint written). */
export async function trainCommand(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const { positionals, values } = parseArgs({
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
  const flags = {
    data: values.data,
    recipe: values.recipe,
    epochs: positiveInteger('epochs', values.epochs),
    batchSize: positiveInteger('batch', values.batch),
    lr: nonNegative('lr', values.lr),
    seed: nonNegative('seed', values.seed),
    backend: values.backend,
    limit: positiveInteger('limit', values.limit),
  };
  let config: TrainConfig;
  let dir: string;
  let fileAugment = false;
  if (values.resume) {
    dir = values.resume;
    const saved = readRunConfig(dir);
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
    const file = values.config ? readConfigFile(values.config) : {};
    fileAugment = file.augment !== undefined;
    config = composeConfig({ model, ...flags } as Partial<TrainConfig> & { model: string }, file);
    dir = values.out ?? defaultRunDir(model);
    if (existsSync(join(dir, 'config.json'))) {
      throw new UsageError(`${dir} already holds a run: continue it with --resume ${dir}, or choose another --out`);
    }
  }
  checkModelName(config.model);
  const mode = progressMode(values.json ?? false);
  const log = mode === 'json' ? (line: string) => process.stderr.write(`${line}\n`) : out;

  const backend = await startBackend(config.backend);
  const data = loadData(config.data);
  // A recipe's ImageNet crops do not fit MNIST or CIFAR; augmentation the user wrote is taken as written.
  if (!values.resume && !fileAugment)
    config = fitAugmentToData(config, data.train.height, data.train.width, config.data === 'mnist');
  let trainPart: ImageDataset = data.train;
  if (config.limit && config.limit < trainPart.count)
    trainPart = subset(
      trainPart,
      shuffledIndices(trainPart.count, config.seed).subarray(0, config.limit).slice().sort(),
    );
  const { train, validation } = trainValidationSplit(trainPart, config.validationFraction, config.seed);
  // AlexNet's colour noise follows the principal components of the training set's RGB values.
  const augment =
    config.colorNoise && train.channels === 3
      ? { ...config.augment, colorNoise: { std: config.colorNoise, basis: colorBasis(train, 10_000) } }
      : config.augment;
  const input = [
    ...(config.augment ? augmentedShape(config.augment, train.height, train.width) : [train.height, train.width]),
    train.channels,
  ] as [number, number, number];
  const model = buildModel(config.model, input, data.train.classes);
  const run = openRunFolder(dir);
  const env = environment(backend);
  await run.writeJson('config.json', config);
  await run.writeJson('environment.json', env);
  await run.writeJson('data.json', {
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
  });
  log(
    `convkit train ${config.model} on ${config.data} (${train.count} train / ${validation.count} validation / ${data.test.count} test), backend ${backend.name}: ${backend.reason ?? backend.device.description}`,
  );
  log(`run folder ${run.dir}`);

  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
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
      resume: values.resume !== undefined,
      ...(augment ? { augment } : {}),
      ...(config.evaluationAugment ? { evaluationAugment: config.evaluationAugment } : {}),
      ...(config.labelSmoothing !== undefined ? { labelSmoothing: config.labelSmoothing } : {}),
      ...(config.auxiliaryWeight !== undefined ? { auxiliaryWeight: config.auxiliaryWeight } : {}),
      ...(config.clipGradNorm !== undefined ? { clipGradNorm: config.clipGradNorm } : {}),
      ...(config.earlyStopping ? { earlyStopping: config.earlyStopping } : {}),
      onEvent: async (e: FitEvent) => {
        progress.listener(e);
        if (e.type === 'trainStart') await filters.start(e.epoch);
        if (e.type === 'epochEnd') {
          run.appendMetrics(e.record);
          await filters.record(e.record.epoch);
        }
      },
    });
    progress.stop();
    if (result.reason === 'aborted') {
      log(
        `stopped at epoch ${result.progress.epoch + 1}, batch ${result.progress.batch}; continue with: convkit train --resume ${dir}`,
      );
      return 130;
    }
    const test = await evaluate(model, data.test, {
      normalize: config.normalize,
      ...(config.evaluationAugment ? { augment: config.evaluationAugment } : {}),
    });
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
    await filters.finish();
    const report = await (await import('../report.js')).writeReport(run.dir, { model });
    log(
      `test: loss ${test.loss.toFixed(4)}, top-1 error ${(100 * test.top1Error).toFixed(2)} % (accuracy ${(100 * (1 - test.top1Error)).toFixed(2)} %), top-5 error ${(100 * test.top5Error).toFixed(2)} %`,
    );
    log(`report ${report}`);
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
    model.dispose();
  }
}

async function startBackend(name: string): Promise<BackendInfo> {
  const known = ['auto', 'cpu', 'wasm', 'webgpu', 'native', 'cuda'];
  if (!known.includes(name))
    throw new UsageError(`--backend must be one of ${known.join(', ')}, received ${JSON.stringify(name)}`);
  return initBackend(name as 'auto');
}
