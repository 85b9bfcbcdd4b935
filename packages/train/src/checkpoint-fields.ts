import { FormatError } from '@convkit/io';
import type { EpochRecord, Progress } from './checkpoint.js';

// Everything here reads a checkpoint's JSON metadata, which lives in the safetensors
// header: byte 8 is where a problem in it shows.
const HEADER = 8;

// JSON has no Infinity; "no best loss yet" must survive the round trip.
export const toJson = (value: unknown) =>
  JSON.stringify(value, (_, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v));

/** Parses one metadata field as JSON, naming the file and the field when it is not JSON. */
export function parseJsonField(text: string | undefined, file: string, field: string): unknown {
  if (text === undefined) throw new FormatError(file, HEADER, `metadata field "${field}" is missing`);
  try {
    return JSON.parse(text, (_, v) => (v === 'Infinity' ? Number.POSITIVE_INFINITY : v));
  } catch (error) {
    throw new FormatError(
      file,
      HEADER,
      `metadata field "${field}" is not JSON (${(error as Error).message}): ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
}

/** A reader of one JSON object's fields that names the field path in every error. */
class Fields {
  constructor(
    private readonly file: string,
    private readonly path: string,
    private readonly value: Record<string, unknown>,
  ) {}

  static of(file: string, path: string, value: unknown): Fields {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new FormatError(file, HEADER, `${path} must be an object, found ${JSON.stringify(value)}`);
    return new Fields(file, path, value as Record<string, unknown>);
  }

  fail(key: string, expected: string): never {
    throw new FormatError(
      this.file,
      HEADER,
      `${this.path}.${key} must be ${expected}, found ${JSON.stringify(this.value[key]) ?? 'nothing'}`,
    );
  }

  /** An integer ≥ `min`. */
  integer(key: string, min = 0): number {
    const v = this.value[key];
    if (!(Number.isSafeInteger(v) && (v as number) >= min)) this.fail(key, `an integer ≥ ${min}`);
    return v as number;
  }

  /** A finite number ≥ `min` (Infinity too when `infinite`). */
  number(key: string, { min = Number.NEGATIVE_INFINITY, infinite = false } = {}): number {
    const v = this.value[key];
    const ok =
      typeof v === 'number' && v >= min && (Number.isFinite(v) || (infinite && v === Number.POSITIVE_INFINITY));
    if (!ok) this.fail(key, `a ${infinite ? '' : 'finite '}number${min > Number.NEGATIVE_INFINITY ? ` ≥ ${min}` : ''}`);
    return v as number;
  }

  /** Absent is undefined; null is NaN, which JSON writes as null (a validation split with no examples gives it). */
  measured(key: string): number | undefined {
    const v = this.value[key];
    if (v === undefined) return undefined;
    return v === null ? Number.NaN : this.number(key, { infinite: true });
  }

  object(key: string): Fields {
    return Fields.of(this.file, `${this.path}.${key}`, this.value[key]);
  }

  array(key: string): unknown[] {
    const v = this.value[key];
    if (!Array.isArray(v)) this.fail(key, 'an array');
    return v as unknown[];
  }
}

function readRecord(file: string, path: string, value: unknown): EpochRecord {
  const r = Fields.of(file, path, value);
  const record: EpochRecord = {
    epoch: r.integer('epoch'),
    lr: r.number('lr', { min: 0 }),
    trainLoss: r.number('trainLoss'),
    trainTop1Error: r.number('trainTop1Error', { min: 0 }),
    seconds: r.number('seconds', { min: 0 }),
    examplesPerSecond: r.measured('examplesPerSecond') ?? r.fail('examplesPerSecond', 'a number'),
  };
  for (const key of ['validationLoss', 'validationTop1Error', 'validationTop5Error'] as const) {
    const v = r.measured(key);
    if (v !== undefined) record[key] = v;
  }
  return record;
}

/**
 * Validates a checkpoint's `progress` field and returns it typed: every
 * number in range, the history one record per finished epoch, the best epoch
 * one of them. A `FormatError` names the file and the field.
 */
export function readProgress(text: string | undefined, file: string): Progress {
  const p = Fields.of(file, 'progress', parseJsonField(text, file, 'progress'));
  const epoch = p.integer('epoch');
  const history = p.array('history').map((r, i) => readRecord(file, `progress.history[${i}]`, r));
  if (history.length !== epoch)
    throw new FormatError(
      file,
      HEADER,
      `progress.history holds ${history.length} epochs, but progress.epoch says ${epoch} are finished`,
    );
  history.forEach((r, i) => {
    if (r.epoch !== i)
      throw new FormatError(file, HEADER, `progress.history[${i}].epoch must be ${i}, found ${r.epoch}`);
  });
  const best = p.object('best');
  const schedule = p.object('schedule');
  const partial = p.object('partial');
  const progress: Progress = {
    epoch,
    batch: p.integer('batch'),
    step: p.integer('step'),
    history,
    best: { validationLoss: best.number('validationLoss', { infinite: true }), epoch: best.integer('epoch', -1) },
    epochsWithoutImprovement: p.integer('epochsWithoutImprovement'),
    schedule: {
      scale: schedule.number('scale', { min: 0 }),
      best: schedule.number('best', { infinite: true }),
      badEpochs: schedule.integer('badEpochs'),
      cooldownLeft: schedule.integer('cooldownLeft'),
    },
    partial: {
      lossSum: partial.number('lossSum'),
      correct: partial.integer('correct'),
      seen: partial.integer('seen'),
      seconds: partial.number('seconds', { min: 0 }),
    },
  };
  if (progress.best.epoch >= epoch) best.fail('epoch', `-1 or a finished epoch (< ${epoch})`);
  if (progress.partial.correct > progress.partial.seen) partial.fail('correct', `≤ seen (${progress.partial.seen})`);
  return progress;
}
