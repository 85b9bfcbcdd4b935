import { FormatError } from '@convkit/io';
import type { Layer } from '@convkit/layers';
import { type CheckpointStore, decodeCheckpoint, type Progress } from './checkpoint.js';
import { TrainingError } from './errors.js';
import type { FitEvent } from './events.js';
import type { OptimizerConfig, OptimizerState } from './optimizers.js';

/** Whether the store holds `name`, read only when the store cannot say otherwise. */
export async function exists(store: CheckpointStore, name: string): Promise<boolean> {
  return store.has ? store.has(name) : (await store.load(name)) !== undefined;
}

/**
 * `resume: true` with no `last`: fine for a run killed before its first
 * checkpoint, and for one killed between its first `best` and its first
 * `last` (the replay of epoch 1 writes that `best` again). A `best` of any
 * later epoch proves epochs were trained, and starting over would silently
 * throw them away.
 */
export async function refuseLostProgress(store: CheckpointStore): Promise<void> {
  const best = await store.load('best');
  if (!best) return;
  let epochs = Number.POSITIVE_INFINITY;
  try {
    epochs = decodeCheckpoint(best, store.describe('best')).progress.epoch;
  } catch {
    // A damaged best proves training all the same.
  }
  if (epochs <= 1) return;
  throw new TrainingError(
    `cannot resume: ${store.describe('last')} is missing, but ${store.describe('best')} shows that this run trained ` +
      `${Number.isFinite(epochs) ? `${epochs} epochs` : 'before'}, and resuming would silently start over from epoch 1. ` +
      `Restore ${store.describe('last')} (copying ${store.describe('best')} there continues from the best epoch), or start a new run`,
  );
}

/**
 * When `last` ends exactly the epoch that set the best loss, `best` must hold
 * that same state. A crash while `best` was written (or a run from before
 * `best` was saved first) can leave it older or torn: rewrite it from `last`,
 * whose bytes an unbroken run would have written to `best` too.
 */
export async function repairBest(
  store: CheckpointStore,
  last: Uint8Array,
  progress: Progress,
): Promise<FitEvent | undefined> {
  if (!(progress.batch === 0 && progress.epoch > 0 && progress.best.epoch === progress.epoch - 1)) return undefined;
  const best = await store.load('best');
  let holds = -1;
  try {
    if (best) holds = decodeCheckpoint(best, store.describe('best')).progress.epoch;
  } catch {
    // A damaged best is exactly what this repairs.
  }
  if (holds === progress.epoch) return undefined;
  await store.save('best', last);
  return { type: 'checkpoint', name: 'best', location: store.describe('best'), epoch: progress.epoch, batch: 0 };
}

/** The optimizer slots each trainable weight has once the optimizer has taken a step. */
function slotNames(config: OptimizerConfig): string[] {
  if (config.type === 'adam') return ['m', 'v'];
  return config.type === 'sgd' && (config.momentum ?? 0) > 0 ? ['momentum'] : [];
}

/**
 * A checkpoint's optimizer slots must be those this optimizer keeps for this
 * model: every trainable weight's slots once a step was taken, each with its
 * weight's shape, and nothing else. A missing momentum would otherwise restart
 * from zero and the resume would no longer equal an unbroken run.
 */
export function checkSlots(model: Layer, config: OptimizerConfig, state: OptimizerState, file = '<checkpoint>'): void {
  const suffixes = slotNames(config);
  const expected = new Map<string, number[]>();
  if (state.steps > 0)
    for (const [name, v] of model.namedWeights())
      if (v.trainable) for (const suffix of suffixes) expected.set(`${name}/${suffix}`, v.shape);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const saved = state.slots[name];
    if (!saved) problems.push(`missing optimizer/${name}`);
    else if (saved.shape.join() !== shape.join())
      problems.push(`optimizer/${name} is [${saved.shape.join(', ')}], its weight is [${shape.join(', ')}]`);
  }
  for (const name of Object.keys(state.slots)) if (!expected.has(name)) problems.push(`unexpected optimizer/${name}`);
  if (problems.length > 0)
    throw new FormatError(
      file,
      8,
      `the optimizer slots do not fit ${config.type}${suffixes.length ? ` (${suffixes.join(', ')} per trainable weight)` : ''} after ${state.steps} steps: ${problems.join('; ')}`,
    );
}
