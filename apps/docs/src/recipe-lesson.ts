/**
 * The "Training recipes" lesson: AlexNet's recipe as @convkit/train holds it
 * (`recipes.alexnet2012`), each knob beside the field it comes from, and the
 * effect of turning it off as measured by scripts/recipe-effects.mjs on
 * MNIST and Fashion-MNIST subsets (recipe-effects.json, committed).
 */
import { getRecipe, type Recipe } from '@convkit/train';
import measured from './recipe-effects.json';

export interface MeasuredRow {
  dataset: string;
  knob: string;
  field: string;
  change: Record<string, unknown>;
  validationTop1Error: number;
  trainLoss: number;
  finalLr: number;
  seconds: number;
}

export interface Measurements {
  command: string;
  date: string;
  backend: string;
  node: string;
  seed: number;
  epochs: number;
  train: number;
  test: number;
  recipe: string;
  rows: MeasuredRow[];
}

export const measurements = measured as Measurements;

/** A recipe field by its dotted path (`optimizer.momentum`), as JSON; the whole recipe's name for ''. */
export function recipeField(recipe: Recipe, path: string): string {
  if (path === '') return recipe.name;
  let value: unknown = recipe;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !(key in value)) {
      throw new RangeError(
        `recipe ${recipe.name} has no field ${JSON.stringify(path)} (stopped at ${JSON.stringify(key)})`,
      );
    }
    value = (value as Record<string, unknown>)[key];
  }
  return JSON.stringify(value);
}

export interface KnobRow {
  knob: string;
  field: string;
  /** The recipe's value, read from @convkit/train. */
  recipeValue: string;
  /** What the run used instead (empty for the recipe itself). */
  change: string;
  /** Validation top-1 error per data set, and its change from the recipe's run, in percentage points. */
  errors: Record<string, { error: number; delta: number }>;
}

const percent = (x: number) => Math.round(x * 1000) / 10;

/** One row per knob, the data sets side by side. */
export function knobRows(data: Measurements = measurements, recipe: Recipe = getRecipe('alexnet2012')): KnobRow[] {
  const baseline = new Map(data.rows.filter((r) => r.knob === 'recipe').map((r) => [r.dataset, r]));
  const rows = new Map<string, KnobRow>();
  for (const r of data.rows) {
    const base = baseline.get(r.dataset);
    if (!base) throw new RangeError(`recipe-effects: no recipe run for ${r.dataset}`);
    let row = rows.get(r.knob);
    if (!row) {
      row = {
        knob: r.knob,
        field: r.field,
        recipeValue: recipeField(recipe, r.field),
        change: changeText(r.change),
        errors: {},
      };
      rows.set(r.knob, row);
    }
    row.errors[r.dataset] = {
      error: percent(r.validationTop1Error),
      delta: Math.round((percent(r.validationTop1Error) - percent(base.validationTop1Error)) * 10) / 10,
    };
  }
  return [...rows.values()];
}

function changeText(change: Record<string, unknown>): string {
  return Object.entries(change)
    .map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(', ');
}

/** The data sets measured, in the order of the file. */
export function datasets(data: Measurements = measurements): string[] {
  return [...new Set(data.rows.map((r) => r.dataset))];
}
