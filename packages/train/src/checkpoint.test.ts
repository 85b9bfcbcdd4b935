import { initBackend } from '@convkit/backend';
import { encodeSafetensors, FormatError, parseHeader } from '@convkit/io';
import { beforeAll, describe, expect, it } from 'vitest';
import { halves, smallCnn } from '../test/toy.js';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type Progress } from './checkpoint.js';
import { fit } from './fit.js';

const FILE = 'runs/a/checkpoints/last.safetensors';
let model: ReturnType<typeof smallCnn>;
let good: Uint8Array;
let decoded: Checkpoint;

beforeAll(async () => {
  await initBackend('cpu');
  model = smallCnn();
  const store = new Map<string, Uint8Array>();
  await fit(model, {
    train: halves(32, 1),
    validation: halves(16, 2),
    epochs: 2,
    batchSize: 16,
    seed: 1,
    checkpoints: {
      store: { save: async (n, b) => void store.set(n, b), load: async (n) => store.get(n), describe: (n) => n },
      extra: { config: { model: 'small' } },
    },
  });
  good = store.get('last') as Uint8Array;
  decoded = decodeCheckpoint(good, FILE);
});

/** A checkpoint whose checksum is right but whose progress is `progress`: what a buggy or hostile writer leaves. */
const withProgress = (progress: unknown) => encodeCheckpoint(model, decoded.optimizer, progress as Progress);

/** The error `decodeCheckpoint` throws for these bytes. */
function failure(bytes: Uint8Array): FormatError {
  try {
    decodeCheckpoint(bytes, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).file).toBe(FILE);
    return error as FormatError;
  }
  throw new Error('decodeCheckpoint accepted the bytes');
}

/** The same tensors with other metadata (and no valid checksum unless the caller gives one). */
function withMetadata(change: (m: Record<string, string>) => void): Uint8Array {
  const { tensors, metadata, dataStart } = parseHeader(good, good.byteLength, FILE);
  const m = { ...metadata };
  change(m);
  const inputs = Object.fromEntries(
    [...tensors].map(([name, t]) => [
      name,
      { data: new Float32Array(good.slice(dataStart + t.offsets[0], dataStart + t.offsets[1]).buffer), shape: t.shape },
    ]),
  );
  return encodeSafetensors(inputs, m);
}

describe('checkpoints trust nothing they read back', () => {
  it('round-trips and records a crc32 of its data and metadata', () => {
    expect(decoded.progress).toMatchObject({ epoch: 2, batch: 0, step: 4 });
    expect(decoded.progress.history).toHaveLength(2);
    expect(decoded.extra).toEqual({ config: { model: 'small' } });
    expect(parseHeader(good, good.byteLength, FILE).metadata.crc32).toMatch(/^[0-9a-f]{8}$/);
  });

  it('a garbled tensor byte is a FormatError naming the file and the checksum', () => {
    const { dataStart } = parseHeader(good, good.byteLength, FILE);
    for (const at of [dataStart, dataStart + 17, good.byteLength - 1]) {
      const bytes = good.slice();
      bytes[at] = (bytes[at] as number) ^ 0x10;
      expect(failure(bytes).message).toMatch(
        /last\.safetensors at byte \d+: checksum mismatch: the tensors and metadata give crc32 [0-9a-f]{8}, the file records [0-9a-f]{8}/,
      );
    }
  });

  it('a garbled digit of the progress (still valid JSON) is caught by the checksum too', () => {
    const text = new TextDecoder().decode(good);
    const at = text.indexOf('\\"step\\":4');
    expect(at).toBeGreaterThan(0);
    const bytes = good.slice();
    bytes[at + '\\"step\\":'.length] = '9'.charCodeAt(0);
    expect(failure(bytes).message).toMatch(/checksum mismatch/);
  });

  it('a current checkpoint without its checksum is refused; one from before checksums is read', () => {
    expect(failure(withMetadata((m) => delete m.crc32)).message).toMatch(
      /metadata field "crc32" must be 8 hex digits, found nothing/,
    );
    const legacy = withMetadata((m) => {
      m.format = 'convkit-checkpoint/1';
      delete m.crc32;
    });
    expect(decodeCheckpoint(legacy, FILE).progress).toEqual(decoded.progress);
  });

  it('each hostile progress field is a FormatError naming the file and the field', async () => {
    const p = decoded.progress;
    const cases: [unknown, RegExp][] = [
      [null, /progress must be an object, found null/],
      [[], /progress must be an object, found \[\]/],
      [{ ...p, epoch: -1 }, /progress\.epoch must be an integer ≥ 0, found -1/],
      [{ ...p, epoch: 1.5 }, /progress\.epoch must be an integer ≥ 0, found 1\.5/],
      [{ ...p, epoch: '2' }, /progress\.epoch must be an integer ≥ 0, found "2"/],
      [{ ...p, batch: -3 }, /progress\.batch must be an integer ≥ 0, found -3/],
      [{ ...p, step: null }, /progress\.step must be an integer ≥ 0, found null/],
      [{ ...p, epoch: 5 }, /progress\.history holds 2 epochs, but progress\.epoch says 5 are finished/],
      [{ ...p, history: 'x' }, /progress\.history must be an array, found "x"/],
      [{ ...p, history: [p.history[0], 7] }, /progress\.history\[1\] must be an object, found 7/],
      [
        { ...p, history: [p.history[0], { ...p.history[1], trainLoss: 'low' }] },
        /progress\.history\[1\]\.trainLoss must be a finite number, found "low"/,
      ],
      [{ ...p, history: [p.history[1], p.history[0]] }, /progress\.history\[0\]\.epoch must be 0, found 1/],
      [
        { ...p, best: { validationLoss: 1, epoch: 2 } },
        /progress\.best\.epoch must be -1 or a finished epoch \(< 2\), found 2/,
      ],
      [{ ...p, best: undefined }, /progress\.best must be an object, found undefined/],
      [{ ...p, epochsWithoutImprovement: -1 }, /progress\.epochsWithoutImprovement must be an integer ≥ 0, found -1/],
      [
        { ...p, schedule: { ...p.schedule, scale: -1 } },
        /progress\.schedule\.scale must be a finite number ≥ 0, found -1/,
      ],
      [{ ...p, schedule: { ...p.schedule, badEpochs: 0.5 } }, /progress\.schedule\.badEpochs must be an integer ≥ 0/],
      [{ ...p, partial: { ...p.partial, seen: -8 } }, /progress\.partial\.seen must be an integer ≥ 0, found -8/],
      [
        { ...p, partial: { ...p.partial, correct: 5, seen: 4 } },
        /progress\.partial\.correct must be ≤ seen \(4\), found 5/,
      ],
      [
        { ...p, partial: { ...p.partial, lossSum: 'NaN' } },
        /progress\.partial\.lossSum must be a finite number, found "NaN"/,
      ],
    ];
    for (const [progress, message] of cases) {
      const error = failure(await withProgress(progress));
      expect(error.message, JSON.stringify(progress)?.slice(0, 60)).toMatch(message);
      expect(error.message).toContain(FILE);
    }
  });

  it('metadata that is not JSON, or missing, names the file and the field', () => {
    const legacy = (change: (m: Record<string, string>) => void) =>
      withMetadata((m) => {
        m.format = 'convkit-checkpoint/1';
        delete m.crc32;
        change(m);
      });
    expect(failure(legacy((m) => (m.progress = '{"epoch":')))).toBeInstanceOf(FormatError);
    expect(failure(legacy((m) => (m.progress = '{"epoch":'))).message).toMatch(
      /last\.safetensors at byte 8: metadata field "progress" is not JSON \(.+\): "\{\\"epoch\\":"/,
    );
    expect(failure(legacy((m) => delete m.progress)).message).toMatch(/metadata field "progress" is missing/);
    expect(failure(legacy((m) => (m.extra = 'nope'))).message).toMatch(/metadata field "extra" is not JSON/);
    expect(failure(legacy((m) => (m.optimizerSteps = '-4'))).message).toMatch(
      /metadata field "optimizerSteps" must be a non-negative integer, found "-4"/,
    );
    expect(failure(legacy((m) => (m.optimizerSteps = '9'))).message).toMatch(
      /metadata field "optimizerSteps" \(9\) disagrees with progress\.step \(4\)/,
    );
    expect(failure(legacy((m) => (m.format = 'other'))).message).toMatch(
      /not a convkit checkpoint: metadata field "format" is "other", expected convkit-checkpoint\/2/,
    );
  });

  it('tensors other than float32 weights and slots are refused', () => {
    const progress = parseHeader(good, good.byteLength, FILE).metadata.progress as string;
    const meta = { format: 'convkit-checkpoint/1', progress, optimizerSteps: '4', extra: 'null' };
    const ints = encodeSafetensors({ 'model/conv/kernel': { data: new Int32Array([1]), shape: [1] } }, meta);
    expect(failure(ints).message).toMatch(/tensor "model\/conv\/kernel" is I32; a checkpoint holds F32 only/);
    const stray = encodeSafetensors({ stray: { data: new Float32Array([1]), shape: [1] } }, meta);
    expect(failure(stray).message).toMatch(/tensor "stray" is neither a weight \(model\/…\) nor an optimizer slot/);
  });
});
