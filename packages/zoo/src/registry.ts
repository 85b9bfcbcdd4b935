import type { Layer } from '@convkit/layers';
import { ConfigError, summary } from '@convkit/layers';

/** Options every model builder takes. */
export interface ModelOptions {
  /** Output classes. Default: the model's (1000 for ImageNet models, 10 for LeNet). */
  numClasses?: number;
  /** Input `[height, width, channels]`. Default: the paper's. Smaller inputs work where the geometry allows. */
  input?: [number, number, number];
  /** Build the auxiliary classifiers too (GoogLeNet, Inception v3). Default false. */
  auxLogits?: boolean;
}

/** A number a paper reports, with where it comes from. */
export interface ReportedResult {
  metric: 'top-1 error' | 'top-5 error' | 'error';
  /** Percent. */
  value: number;
  dataset: string;
  /** Where the number is printed, e.g. "Krizhevsky et al. 2012, Table 2 (1 CNN)". */
  source: string;
}

/** What a model is, as data. */
export interface ModelCard {
  name: string;
  aliases?: readonly string[];
  family: string;
  paper: { title: string; authors: string; year: number; url?: string };
  input: [number, number, number];
  numClasses: number;
  reported?: readonly ReportedResult[];
  /** How this definition differs from the paper (or from the implementation it follows). */
  deviations: readonly string[];
  /** What smaller inputs the geometry allows. */
  inputs: string;
}

/** A registered model: its card and its builder. */
export interface ModelDefinition {
  card: ModelCard;
  /** An unbuilt model; `options` has the defaults filled in. */
  build(options: Required<Omit<ModelOptions, 'auxLogits'>> & { auxLogits: boolean }): Layer;
}

/** `listModels()`'s entry: the card plus parameters and MACs at the default input, computed. */
export type ModelInfo = ModelCard & { params: number; trainable: number; macs: number };

const models = new Map<string, ModelDefinition>();
const aliases = new Map<string, string>();

/** Adds a model (downstream packages add theirs). Throws if the name or an alias is taken. */
export function registerModel(definition: ModelDefinition): void {
  const names = [definition.card.name, ...(definition.card.aliases ?? [])];
  for (const name of names) {
    if (models.has(name) || aliases.has(name))
      throw new ConfigError('registerModel', `${JSON.stringify(name)} is already registered`);
  }
  models.set(definition.card.name, definition);
  for (const alias of definition.card.aliases ?? []) aliases.set(alias, definition.card.name);
}

function definitionOf(name: string): ModelDefinition {
  const definition = models.get(aliases.get(name) ?? name);
  if (!definition) {
    throw new ConfigError(
      'getModel',
      `unknown model ${JSON.stringify(name)}: available are ${[...models.keys()].sort().join(', ')}`,
    );
  }
  return definition;
}

/**
 * An unbuilt model by name: `summary` works on it without allocating a
 * weight; `build(input, { seed })` creates the weights.
 *
 * @example
 * ```ts
 * const vgg = getModel('vgg16');
 * summary(vgg, { input: [224, 224, 3] }).totals.params; // 138,357,544
 * ```
 */
export function getModel(name: string, options: ModelOptions = {}): Layer {
  const { card, build } = definitionOf(name);
  return build({
    numClasses: options.numClasses ?? card.numClasses,
    input: options.input ?? card.input,
    auxLogits: options.auxLogits ?? false,
  });
}

/** Every name `getModel` accepts, aliases included, sorted; cheap (no summaries). */
export function modelNames(): string[] {
  return [...models.keys(), ...aliases.keys()].sort();
}

/** The model's card. */
export function modelCard(name: string): ModelCard {
  return definitionOf(name).card;
}

/** Every registered model with its card, and parameters and MACs at its default input (computed, not copied). */
export function listModels(): ModelInfo[] {
  return [...models.values()]
    .map(({ card }) => {
      const s = summary(getModel(card.name), { input: card.input });
      return { ...card, params: s.totals.params, trainable: s.totals.trainable, macs: s.totals.macs };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
