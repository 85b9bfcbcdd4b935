import { readFileSync } from 'node:fs';
import type { BackendChoice } from '@convkit/backend/names';
import type { AugmentOptions, Normalize } from '@convkit/data';
import { getRecipe, type OptimizerConfig, type ScheduleConfig } from '@convkit/train/node';
import { checkConfigFields } from './config-check.js';
import { UsageError } from './errors.js';
import { DEFAULT_TARGET_ERROR } from './timing.js';

/** Everything a training run depends on; saved as `config.json` in the run folder. */
export interface TrainConfig {
  model: string;
  data: string;
  recipe: string;
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  augment?: AugmentOptions;
  evaluationAugment?: AugmentOptions;
  normalize: Normalize;
  /** σ of AlexNet's PCA colour noise for RGB data (the basis is computed from the training set at the start). */
  colorNoise?: number;
  /** Fraction of the training part held out for validation (it drives plateau schedules). */
  validationFraction: number;
  /** Train on the first N (shuffled) training examples only: quick runs and smoke tests. */
  limit?: number;
  labelSmoothing?: number;
  auxiliaryWeight?: number;
  clipGradNorm?: number;
  earlyStopping?: { patience: number; minDelta?: number };
  /** The validation top-1 error whose first crossing the trainer times (printed, and in timing.json and the report); default 0.01. */
  targetError?: number;
  seed: number;
  backend: BackendChoice;
}

/**
 * The recipe a model trains with when none is named: its family's paper,
 * except the modern LeNet-5, whose default is the few-epoch `lenet5-fast`
 * (the main job: ≥ 99 % on MNIST in minutes on wasm); `--recipe lenet5` is the paper's 20 epochs.
 */
export function defaultRecipe(model: string): string {
  if (model === 'lenet5-modern') return 'lenet5-fast';
  if (model.startsWith('lenet')) return 'lenet5';
  if (model.startsWith('vgg')) return 'vgg2014';
  if (model.startsWith('googlenet') || model.startsWith('inception')) return 'googlenet2014';
  if (model.startsWith('resnet') || model.startsWith('plain')) return 'resnet2016';
  return 'alexnet2012';
}

/**
 * The effective configuration: the recipe's numbers, then the config file's,
 * then the flags' — flags win. ImageNet-sized crops of a recipe are dropped
 * for inputs smaller than the crop (MNIST, CIFAR), with flips kept only for
 * natural images.
 */
export function composeConfig(
  flags: Partial<TrainConfig> & { model: string },
  file: Partial<TrainConfig> = {},
): TrainConfig {
  const recipeName = flags.recipe ?? file.recipe ?? defaultRecipe(flags.model);
  let recipe: ReturnType<typeof getRecipe>;
  try {
    recipe = getRecipe(recipeName);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const forModel = recipe.byModel?.[flags.model] ?? {};
  const base: TrainConfig = {
    model: flags.model,
    data: 'mnist',
    recipe: recipeName,
    epochs: forModel.epochs ?? recipe.epochs,
    batchSize: forModel.batchSize ?? recipe.batchSize,
    lr: forModel.lr ?? recipe.lr,
    optimizer: recipe.optimizer,
    schedule: recipe.schedule,
    ...(recipe.augment ? { augment: recipe.augment } : {}),
    ...(recipe.evaluationAugment ? { evaluationAugment: recipe.evaluationAugment } : {}),
    normalize: 'unit',
    ...(recipe.colorNoise !== undefined ? { colorNoise: recipe.colorNoise } : {}),
    validationFraction: 1 / 12,
    targetError: DEFAULT_TARGET_ERROR,
    ...(recipe.labelSmoothing !== undefined ? { labelSmoothing: recipe.labelSmoothing } : {}),
    ...(recipe.auxiliaryWeight !== undefined ? { auxiliaryWeight: recipe.auxiliaryWeight } : {}),
    seed: 0,
    backend: 'auto',
  };
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const config = { ...base, ...defined(file), ...defined(flags), model: flags.model } as TrainConfig;
  return withScheduleOverRun(config, base);
}

/**
 * A recipe's schedule laid out over its whole run follows `--epochs`: a
 * cosine spanning the run (lenet5-fast: 7 of 7 epochs) stretches to it, and
 * multistep milestones (resnet2016: ÷10 at 91 and 136 of 182) move to the
 * same fractions of the run, rounded to whole epochs and kept increasing; a
 * schedule from the config file is taken as written.
 */
function withScheduleOverRun(config: TrainConfig, base: TrainConfig): TrainConfig {
  const s = config.schedule;
  if (s !== base.schedule || config.epochs === base.epochs) return config;
  if (s.type === 'cosine' && s.epochs === base.epochs) return { ...config, schedule: { ...s, epochs: config.epochs } };
  if (s.type !== 'multistep') return config;
  const milestones: number[] = [];
  for (const m of s.milestones)
    milestones.push(Math.max(Math.round((m * config.epochs) / base.epochs), (milestones.at(-1) ?? 0) + 1));
  return { ...config, schedule: { ...s, milestones } };
}

/** Reads a JSON config file; a parse error, an unknown key or a bad value names the file and the key. */
export function readConfigFile(path: string): Partial<TrainConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`--config ${path}: cannot read the file`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--config ${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--config ${path}: not a JSON object`);
  checkConfigFields(parsed as Record<string, unknown>, `--config ${path}`);
  return parsed as Partial<TrainConfig>;
}

/**
 * A padded random crop larger than the image but within its padding (CIFAR's
 * pad 4, crop 32, on 28×28 Fashion-MNIST) is the shift it stands for: the
 * crop is taken at the image's own size.
 */
function asShift(a: AugmentOptions, height: number, width: number): AugmentOptions {
  const crop = a.randomCrop;
  if (!crop?.padding || a.resize) return a;
  const [h, w] = crop.size;
  const fits = h <= height + 2 * crop.padding && w <= width + 2 * crop.padding;
  if (!fits || (h <= height && w <= width)) return a;
  return { ...a, randomCrop: { ...crop, size: [height, width] } };
}

/**
 * Fits a recipe's augmentation to the data: ImageNet's resize to 256 and
 * 224 crops are dropped for smaller images (28×28 MNIST, 32×32 CIFAR) rather
 * than upsampling them, and flips are dropped for digits, where a mirrored 2
 * is not a 2.
 */
export function fitAugmentToData(config: TrainConfig, height: number, width: number, digits: boolean): TrainConfig {
  const { augment, evaluationAugment, ...rest } = config;
  const fits = (given: AugmentOptions | undefined) => {
    if (!given) return undefined;
    const a = asShift(given, height, width);
    const upscales = a.resize !== undefined && (a.resize[0] > height || a.resize[1] > width);
    const [h, w] = upscales || !a.resize ? [height, width] : a.resize;
    const crop = a.randomCrop?.size ?? a.centerCrop;
    if (upscales || (crop && (crop[0] > h || crop[1] > w))) {
      const { resize: _r, randomCrop: _c, centerCrop: _cc, ...others } = a;
      return Object.keys(others).length > 0 ? others : undefined;
    }
    return a;
  };
  let train = fits(augment);
  if (train && digits) {
    const { flip: _f, ...others } = train;
    train = Object.keys(others).length > 0 ? others : undefined;
  }
  const evaluation = fits(evaluationAugment);
  return { ...rest, ...(train ? { augment: train } : {}), ...(evaluation ? { evaluationAugment: evaluation } : {}) };
}
