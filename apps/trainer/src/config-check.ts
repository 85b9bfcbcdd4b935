import { BACKEND_CHOICES, isBackendChoice } from '@convkit/backend/names';
import { createOptimizer, createSchedule } from '@convkit/train/node';
import { MAX_SEED } from './args.js';
import type { TrainConfig } from './config.js';
import { didYouMean, UsageError } from './errors.js';

/** A value's check: returns a description of what was expected when `value` is wrong, else undefined. */
type Check = (value: unknown) => string | undefined;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

const text: Check = (v) => (typeof v === 'string' && v.length > 0 ? undefined : 'a non-empty string');
const backend: Check = (v) => (isBackendChoice(v) ? undefined : `one of ${BACKEND_CHOICES.join(', ')}`);
const positiveInteger: Check = (v) => (Number.isInteger(v) && (v as number) >= 1 ? undefined : 'a positive integer');
const positive: Check = (v) => (finite(v) && v > 0 ? undefined : 'a finite number > 0');
const nonNegative: Check = (v) => (finite(v) && v >= 0 ? undefined : 'a finite number ≥ 0');
const fraction: Check = (v) => (finite(v) && v >= 0 && v < 1 ? undefined : 'a number in [0, 1)');
const object: Check = (v) => (isObject(v) ? undefined : 'a JSON object');
const seed: Check = (v) =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SEED ? undefined : `an integer in [0, ${MAX_SEED}]`;
const typed: Check = (v) =>
  isObject(v) && typeof v.type === 'string'
    ? undefined
    : 'a JSON object with a "type" (for example {"type": "sgd", "momentum": 0.9})';
const normalize: Check = (v) => {
  if (v === 'unit') return undefined;
  const numbers = (x: unknown) => finite(x) || (Array.isArray(x) && x.length > 0 && x.every(finite));
  return isObject(v) && numbers(v.mean) && numbers(v.std) ? undefined : '"unit" or {"mean": …, "std": …} of numbers';
};
const earlyStopping: Check = (v) =>
  isObject(v) &&
  Number.isInteger(v.patience) &&
  (v.patience as number) >= 1 &&
  (v.minDelta === undefined || (finite(v.minDelta) && v.minDelta >= 0)) &&
  Object.keys(v).every((k) => k === 'patience' || k === 'minDelta')
    ? undefined
    : '{"patience": N ≥ 1, "minDelta": x ≥ 0}';

/** Every key of a training configuration and what its value must be: the one list the config file, config.json and the checks share. */
export const CONFIG_FIELDS: { readonly [K in keyof Required<TrainConfig>]: Check } = {
  model: text,
  data: text,
  recipe: text,
  epochs: positiveInteger,
  batchSize: positiveInteger,
  lr: positive,
  optimizer: typed,
  schedule: typed,
  augment: object,
  evaluationAugment: object,
  normalize,
  colorNoise: nonNegative,
  validationFraction: fraction,
  limit: positiveInteger,
  labelSmoothing: fraction,
  auxiliaryWeight: nonNegative,
  clipGradNorm: positive,
  earlyStopping,
  targetError: fraction,
  seed,
  backend,
};
const KEYS = Object.keys(CONFIG_FIELDS);

/**
 * Checks a (partial) configuration read from `origin` (`--config FILE`,
 * `runs/x/config.json`): every key known (a typo suggests the close name),
 * every value of its type and range. Throws a UsageError that names the
 * origin, the key and the value received.
 */
export function checkConfigFields(value: Record<string, unknown>, origin: string): void {
  for (const [key, v] of Object.entries(value)) {
    if (!Object.hasOwn(CONFIG_FIELDS, key)) {
      throw new UsageError(
        `${origin}: unknown key ${JSON.stringify(key)}${didYouMean(key, KEYS)} (the keys: ${KEYS.join(', ')})`,
      );
    }
    const expected = CONFIG_FIELDS[key as keyof TrainConfig](v);
    if (expected !== undefined)
      throw new UsageError(`${origin}: "${key}" must be ${expected}, received ${JSON.stringify(v)}`);
  }
}

/**
 * Checks the effective configuration as a whole before anything is written:
 * every field (as above), then the optimizer and the schedule as `fit` will
 * build them, so a bad rate, momentum or milestone is refused now and not
 * after the run folder exists.
 */
export function checkConfig(config: TrainConfig, origin: string): void {
  checkConfigFields(config as unknown as Record<string, unknown>, origin);
  for (const key of [
    'model',
    'data',
    'recipe',
    'epochs',
    'batchSize',
    'lr',
    'optimizer',
    'schedule',
    'seed',
  ] as const) {
    if (config[key] === undefined) throw new UsageError(`${origin}: "${key}" is missing`);
  }
  try {
    createOptimizer(config.optimizer).dispose();
  } catch (error) {
    throw new UsageError(`${origin}: "optimizer" ${JSON.stringify(config.optimizer)}: ${(error as Error).message}`);
  }
  try {
    createSchedule(config.schedule, config.lr);
  } catch (error) {
    throw new UsageError(`${origin}: "schedule" ${JSON.stringify(config.schedule)}: ${(error as Error).message}`);
  }
}
