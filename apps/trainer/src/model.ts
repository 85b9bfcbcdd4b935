import type { Layer } from '@convkit/layers';
import { getModel, modelNames } from '@convkit/zoo';
import { didYouMean, UsageError } from './errors.js';

/** Checks a model name before anything heavy starts; an unknown one lists the close names. */
export function checkModelName(name: string): void {
  const names = modelNames();
  if (names.includes(name)) return;
  throw new UsageError(`unknown model ${JSON.stringify(name)}${didYouMean(name, names)} (all models: convkit models)`);
}

/** A zoo model for this input and class count (unbuilt). */
export function buildModel(name: string, input: [number, number, number], numClasses: number): Layer {
  checkModelName(name);
  return getModel(name, { input, numClasses });
}
