import {
  type AugmentOptions,
  augmentedShape,
  colorBasis,
  type ImageDataset,
  shuffledIndices,
  subset,
  trainValidationSplit,
} from '@convkit/data';
import type { TrainConfig } from './config.js';
import type { LoadedData } from './datasets.js';
import { UsageError } from './errors.js';

/** What `fit` trains on: the training and validation parts, the augmentation and the model's input shape. */
export interface TrainingData {
  train: ImageDataset;
  validation: ImageDataset;
  augment: AugmentOptions | undefined;
  input: [number, number, number];
}

/** The smallest `--limit` that leaves at least one example on each side of the validation split. */
export function smallestLimit(fraction: number): number {
  let n = 1;
  while (Math.round(n * fraction) < (fraction > 0 ? 1 : 0) || n - Math.round(n * fraction) < 1) n++;
  return n;
}

/** An augmentation's output size for these images; a bad option is a usage error naming where it came from. */
function augmentedSize(options: AugmentOptions, train: ImageDataset, origin: string, key: string): [number, number] {
  try {
    return augmentedShape(options, train.height, train.width);
  } catch (error) {
    throw new UsageError(`${origin}: "${key}": ${(error as Error).message}`);
  }
}

/**
 * Limits, splits and checks the data for a run, before anything is written:
 * a `--limit` too small to leave a validation example, and augmentation that
 * does not fit the images, are refused here rather than after the run folder
 * exists.
 */
export function prepareTrainingData(config: TrainConfig, data: LoadedData, origin: string): TrainingData {
  let part: ImageDataset = data.train;
  if (config.limit !== undefined && config.limit < part.count)
    part = subset(part, shuffledIndices(part.count, config.seed).subarray(0, config.limit).slice().sort());
  const { train, validation } = trainValidationSplit(part, config.validationFraction, config.seed);
  if (train.count === 0 || (config.validationFraction > 0 && validation.count === 0)) {
    const least = smallestLimit(config.validationFraction);
    const side = train.count === 0 ? 'training' : 'validation';
    throw new UsageError(
      config.limit !== undefined && config.limit < data.train.count
        ? `--limit ${config.limit} leaves no example for ${side} (validationFraction ${config.validationFraction}): use --limit ${least} or more`
        : `${origin}: "validationFraction" ${config.validationFraction} of the ${part.count} training examples of ${data.spec} leaves none for ${side}: hold out at least one example and leave at least one`,
    );
  }
  if (config.evaluationAugment) augmentedSize(config.evaluationAugment, train, origin, 'evaluationAugment');
  const [height, width] = config.augment
    ? augmentedSize(config.augment, train, origin, 'augment')
    : [train.height, train.width];
  // AlexNet's colour noise follows the principal components of the training set's RGB values.
  const augment =
    config.colorNoise && train.channels === 3
      ? { ...config.augment, colorNoise: { std: config.colorNoise, basis: colorBasis(train, 10_000) } }
      : config.augment;
  return { train, validation, augment, input: [height, width, train.channels] };
}
