import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendFlag, positiveInteger, positiveNumber, seedValue } from './args.js';
import { composeConfig, readConfigFile, type TrainConfig } from './config.js';
import { checkConfig, checkConfigFields } from './config-check.js';
import { UsageError } from './errors.js';
import { checkModelName } from './model.js';
import { defaultRunDir, readRunConfig } from './run-folder.js';

export function parseTrainArgs(argv: string[]) {
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

export type TrainValues = ReturnType<typeof parseTrainArgs>['values'];

/**
 * The run's folder and its effective configuration (the recipe, the config
 * file, the flags; or the saved config.json and the flags on resume), checked
 * as a whole before anything is written.
 */
export function resolveRun(values: TrainValues, positionals: string[]) {
  const flags = {
    data: values.data,
    recipe: values.recipe,
    epochs: positiveInteger('epochs', values.epochs),
    batchSize: positiveInteger('batch', values.batch),
    lr: positiveNumber('lr', values.lr),
    seed: seedValue(values.seed),
    backend: backendFlag(values.backend),
    limit: positiveInteger('limit', values.limit),
  };
  let config: TrainConfig;
  let dir: string;
  let origin: string;
  let fileAugment = false;
  let saved: TrainConfig | undefined;
  if (values.resume) {
    dir = values.resume;
    origin = join(dir, 'config.json');
    saved = readRunConfig(dir);
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
  return { config, dir, origin, fileAugment, saved };
}

/** The settings that fix an epoch's order of examples, and the flag that sets each. */
const EPOCH_ORDER = {
  batchSize: '--batch',
  seed: '--seed',
  limit: '--limit',
  data: '--data',
  validationFraction: 'validationFraction',
} as const;

/**
 * A run stopped mid-epoch continues with the settings it stopped with: the
 * epoch's order is replayed batch by batch up to the checkpoint, so another
 * batch size, seed, limit or data set would skip or repeat examples of that
 * epoch. Refused rather than silently changed.
 */
export function checkResumedOrder(saved: TrainConfig, now: TrainConfig, epoch: number, batch: number): void {
  for (const [key, flag] of Object.entries(EPOCH_ORDER) as [keyof typeof EPOCH_ORDER, string][]) {
    if (saved[key] === now[key]) continue;
    throw new UsageError(
      `${flag} ${now[key]}: the run stopped in the middle of epoch ${epoch + 1} (after ${batch} batches of ${saved.batchSize}), and changing ${key} from ${JSON.stringify(saved[key])} would skip or repeat part of that epoch. Resume without ${flag} (or with ${flag} ${saved[key]})`,
    );
  }
}
