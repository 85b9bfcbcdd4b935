import { decodeValues, encodeSafetensors, FormatError, parseHeader, type TensorInput } from '@convkit/io';
import type { Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { parseJsonField, readProgress, toJson } from './checkpoint-fields.js';
import { crc32 } from './crc32.js';
import { TrainingError } from './errors.js';
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

/** Checkpoints written since the checksum: `crc32` is required and checked. */
const FORMAT = 'convkit-checkpoint/2';
/**
 * Checkpoints written before the checksum. They are still read, with every field
 * validated but the tensor bytes unchecked (there is nothing to check them
 * against): refusing them would strand every run started before this version.
 */
const FORMAT_WITHOUT_CHECKSUM = 'convkit-checkpoint/1';
// The checksum covers the data section, which exists only once the file is laid out: the header reserves the
// field as eight zero digits (the checksum's own length, so no offset moves) and the real value is written over them.
const RESERVED_CHECKSUM = '00000000';

/**
 * The checksum a checkpoint records: CRC-32 of the safetensors data section (every
 * tensor's bytes), continued over the UTF-8 of the metadata fields that the
 * reader trusts (format, progress, optimizerSteps, extra), each followed by a NUL.
 */
function checksum(data: Uint8Array, metadata: Record<string, string | undefined>): string {
  let crc = crc32(data);
  const encoder = new TextEncoder();
  for (const key of ['format', 'progress', 'optimizerSteps', 'extra'])
    crc = crc32(encoder.encode(`${metadata[key] ?? ''}\0`), crc);
  return crc.toString(16).padStart(8, '0');
}

/** Where the reserved checksum's digits sit in the header: JSON escapes quotes inside strings, so `"crc32":"…"` only occurs as the key itself. */
function reservedChecksumOffset(bytes: Uint8Array, headerEnd: number): number {
  const needle = new TextEncoder().encode(`"crc32":"${RESERVED_CHECKSUM}"`);
  outer: for (let i = 8; i + needle.length <= headerEnd; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i + needle.length - 1 - RESERVED_CHECKSUM.length;
  }
  throw new Error('encodeCheckpoint: the reserved checksum field is missing from the header');
}

/**
 * A checkpoint's bytes: a safetensors file whose tensors are the model's
 * weights (`model/<layer>/<weight>`) and the optimizer's slots
 * (`optimizer/<weight>/<slot>`), with the progress as JSON metadata and a
 * `crc32` of the data and that metadata. Any safetensors reader (PyTorch's
 * included) opens it.
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
  const metadata = {
    format: FORMAT,
    progress: toJson(progress),
    optimizerSteps: String(optimizer.steps),
    extra: toJson(extra),
    crc32: RESERVED_CHECKSUM,
  };
  const bytes = encodeSafetensors(tensors, metadata);
  const dataStart = 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const at = reservedChecksumOffset(bytes, dataStart);
  bytes.set(new TextEncoder().encode(checksum(bytes.subarray(dataStart), metadata)), at);
  return bytes;
}

/**
 * Parses checkpoint bytes and trusts nothing in them: the safetensors layout is
 * validated, the checksum compared, every progress field checked for type and
 * range, every tensor required to be float32 and named `model/…` or
 * `optimizer/…`. Any problem is a `FormatError` that names `file` and the field.
 * Checkpoints from before the checksum (`convkit-checkpoint/1`) are read
 * without it.
 */
export function decodeCheckpoint(bytes: Uint8Array, file = '<checkpoint>'): Checkpoint {
  const { tensors, metadata, dataStart } = parseHeader(bytes, bytes.byteLength, file);
  if (metadata.format !== FORMAT && metadata.format !== FORMAT_WITHOUT_CHECKSUM) {
    throw new FormatError(
      file,
      8,
      `a safetensors file but not a convkit checkpoint: metadata field "format" is ${JSON.stringify(metadata.format)}, expected ${FORMAT}`,
    );
  }
  if (metadata.format === FORMAT) {
    const recorded = metadata.crc32;
    if (recorded === undefined || !/^[0-9a-f]{8}$/.test(recorded))
      throw new FormatError(
        file,
        8,
        `metadata field "crc32" must be 8 hex digits, found ${JSON.stringify(recorded) ?? 'nothing'}`,
      );
    const actual = checksum(bytes.subarray(dataStart), metadata);
    if (actual !== recorded)
      throw new FormatError(
        file,
        dataStart,
        `checksum mismatch: the tensors and metadata give crc32 ${actual}, the file records ${recorded}; the file was damaged or changed after it was written`,
      );
  }
  const steps = metadata.optimizerSteps;
  if (steps === undefined || !/^\d{1,15}$/.test(steps))
    throw new FormatError(
      file,
      8,
      `metadata field "optimizerSteps" must be a non-negative integer, found ${JSON.stringify(steps) ?? 'nothing'}`,
    );
  const progress = readProgress(metadata.progress, file);
  if (Number(steps) !== progress.step)
    throw new FormatError(
      file,
      8,
      `metadata field "optimizerSteps" (${steps}) disagrees with progress.step (${progress.step}): one optimizer step is taken per batch`,
    );
  const extra = parseJsonField(metadata.extra ?? 'null', file, 'extra');
  const weights = new Map<string, SavedTensor>();
  const slots: Record<string, SavedTensor> = {};
  for (const [name, info] of tensors) {
    const [begin, end] = info.offsets;
    if (info.dtype !== 'F32')
      throw new FormatError(file, dataStart + begin, `tensor "${name}" is ${info.dtype}; a checkpoint holds F32 only`);
    const saved = {
      data: Float32Array.from(decodeValues(info.dtype, bytes.subarray(dataStart + begin, dataStart + end))),
      shape: info.shape,
    };
    if (name.startsWith('model/')) weights.set(name.slice('model/'.length), saved);
    else if (name.startsWith('optimizer/')) slots[name.slice('optimizer/'.length)] = saved;
    else
      throw new FormatError(
        file,
        8,
        `tensor "${name}" is neither a weight (model/…) nor an optimizer slot (optimizer/…)`,
      );
  }
  return { weights, optimizer: { steps: Number(steps), slots }, progress, extra };
}

/**
 * Loads a checkpoint's weights into a built model. Every weight of the model
 * must be present with its shape, and nothing else; all problems are
 * reported at once in a `TrainingError` naming the file, and nothing is
 * assigned unless everything fits.
 *
 * @example
 * ```ts
 * const { weights } = decodeCheckpoint(bytes, 'runs/a/checkpoints/best.safetensors');
 * loadWeights(model.build([28, 28, 1]), weights, 'runs/a/checkpoints/best.safetensors');
 * ```
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
  if (problems.length > 0) throw new TrainingError(`${file} does not fit model ${model.name}: ${problems.join('; ')}`);
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
  /** Whether `name` exists, without reading it (stores without it are asked through `load`). */
  has?(name: string): Promise<boolean>;
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
    has: async (name) => files.has(name),
    describe: (name) => `memory:${name}`,
  };
}
