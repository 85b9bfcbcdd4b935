import { decodeSafetensors, encodeSafetensors, type TensorInput } from '@convkit/io';
import type { Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerState, SavedTensor } from './optimizers.js';
import type { ScheduleState } from './schedules.js';

/** One epoch's figures, as `fit` reports them and checkpoints keep them. */
export interface EpochRecord {
  epoch: number;
  lr: number;
  trainLoss: number;
  trainTop1Error: number;
  validationLoss?: number;
  validationTop1Error?: number;
  validationTop5Error?: number;
  seconds: number;
  examplesPerSecond: number;
}

/** Where training stands: enough to continue bit for bit. */
export interface Progress {
  /** The epoch in progress (0-based) and the next batch of it. */
  epoch: number;
  batch: number;
  /** Optimizer steps taken in total. */
  step: number;
  history: EpochRecord[];
  best: { validationLoss: number; epoch: number };
  epochsWithoutImprovement: number;
  schedule: ScheduleState;
  /** The running sums of the epoch in progress, so its record is whole after a resume. */
  partial: { lossSum: number; correct: number; seen: number; seconds: number };
}

/** A checkpoint decoded: model weights by name, optimizer state, progress, and what the run saved with it. */
export interface Checkpoint {
  weights: Map<string, SavedTensor>;
  optimizer: OptimizerState;
  progress: Progress;
  /** Free-form JSON the caller stored (the trainer keeps its effective config here). */
  extra: unknown;
}

const FORMAT = 'convkit-checkpoint/1';

// JSON has no Infinity; "no best loss yet" must survive the round trip.
const toJson = (value: unknown) => JSON.stringify(value, (_, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v));
const fromJson = (text: string) => JSON.parse(text, (_, v) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v));

/**
 * A checkpoint's bytes: a safetensors file whose tensors are the model's
 * weights (`model/<layer>/<weight>`) and the optimizer's slots
 * (`optimizer/<weight>/<slot>`), with the progress as JSON metadata. Any
 * safetensors reader (PyTorch's included) opens it.
 */
export async function encodeCheckpoint(
  model: Layer,
  optimizer: OptimizerState,
  progress: Progress,
  extra: unknown = null,
): Promise<Uint8Array> {
  const tensors: Record<string, TensorInput> = {};
  for (const [name, v] of model.namedWeights())
    tensors[`model/${name}`] = { data: (await v.data()) as Float32Array, shape: v.shape };
  for (const [name, { data, shape }] of Object.entries(optimizer.slots)) tensors[`optimizer/${name}`] = { data, shape };
  return encodeSafetensors(tensors, {
    format: FORMAT,
    progress: toJson(progress),
    optimizerSteps: String(optimizer.steps),
    extra: toJson(extra),
  });
}

/** Parses checkpoint bytes (validated as safetensors, then as a convkit checkpoint). */
export function decodeCheckpoint(bytes: Uint8Array, file = '<checkpoint>'): Checkpoint {
  const { tensors, metadata } = decodeSafetensors(bytes, file);
  if (metadata.format !== FORMAT) {
    throw new Error(
      `${file} is a safetensors file but not a convkit checkpoint (format ${JSON.stringify(metadata.format)}, expected ${FORMAT})`,
    );
  }
  const weights = new Map<string, SavedTensor>();
  const slots: Record<string, SavedTensor> = {};
  for (const [name, t] of tensors) {
    const saved = { data: Float32Array.from(t.values), shape: t.shape };
    if (name.startsWith('model/')) weights.set(name.slice('model/'.length), saved);
    else if (name.startsWith('optimizer/')) slots[name.slice('optimizer/'.length)] = saved;
  }
  return {
    weights,
    optimizer: { steps: Number(metadata.optimizerSteps), slots },
    progress: fromJson(metadata.progress ?? 'null') as Progress,
    extra: fromJson(metadata.extra ?? 'null'),
  };
}

/**
 * Loads a checkpoint's weights into a built model. Every weight of the model
 * must be present with its shape, and nothing else; all problems are
 * reported at once, and nothing is assigned unless everything fits.
 */
export function loadWeights(model: Layer, weights: ReadonlyMap<string, SavedTensor>, file = '<checkpoint>'): void {
  const own = model.getWeights();
  const problems: string[] = [];
  for (const [name, v] of Object.entries(own)) {
    const saved = weights.get(name);
    if (!saved) problems.push(`missing ${name}`);
    else if (saved.shape.join() !== v.shape.join())
      problems.push(`${name} is [${saved.shape.join(', ')}], the model has [${v.shape.join(', ')}]`);
  }
  for (const name of weights.keys()) if (!(name in own)) problems.push(`unexpected ${name}`);
  if (problems.length > 0) throw new Error(`${file} does not fit model ${model.name}: ${problems.join('; ')}`);
  for (const [name, v] of Object.entries(own)) {
    const saved = weights.get(name) as SavedTensor;
    tf.tidy(() => v.assign(tf.tensor(saved.data, saved.shape)));
  }
}

/** Where checkpoints go: a folder in Node (`directoryStore`), memory in tests or a page. */
export interface CheckpointStore {
  /** Replaces `name` atomically: a crash leaves the old checkpoint or the new one. */
  save(name: string, bytes: Uint8Array): Promise<void>;
  load(name: string): Promise<Uint8Array | undefined>;
  /** A human-readable location, for messages. */
  describe(name: string): string;
}

/** A store in memory (the browser, tests). */
export function memoryStore(): CheckpointStore & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    save: async (name, bytes) => void files.set(name, bytes.slice()),
    load: async (name) => files.get(name)?.slice(),
    describe: (name) => `memory:${name}`,
  };
}
