import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import {
  Activation,
  AvgPool2d,
  BatchNorm,
  Concat,
  Conv2d,
  Dense,
  Dropout,
  Flatten,
  fromJSON,
  LocalResponseNorm,
  MaxPool2d,
  sequential,
  ZeroPadding2d,
} from '@convkit/layers';
import { hasTestdata, testdataDir } from '@convkit/testdata';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test/random.js';
import { FormatError, UnsupportedError } from '../errors.js';
import { exportOnnx } from './export.js';
import { convertOnnx, importOnnx } from './import.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A small exported model with every op the exporter writes: convolutions, pools, LRN, batch norm, a concat, Gemm. */
async function exportedSeed(): Promise<Uint8Array> {
  const model = sequential([
    new ZeroPadding2d({
      padding: [
        [0, 1],
        [1, 0],
      ],
    }),
    new Conv2d({ filters: 4, kernel: 3, padding: 'same', groups: 1, activation: 'relu' }),
    new BatchNorm(),
    new LocalResponseNorm({ size: 3 }),
    new Concat([
      new Conv2d({ filters: 2, kernel: 1, activation: 'tanh' }),
      new AvgPool2d({ kernel: 3, stride: 1, padding: 1 }),
    ]),
    new MaxPool2d({ kernel: 2, ceilMode: true }),
    new Flatten(),
    new Dropout({ rate: 0.5 }),
    new Dense({ units: 5 }),
    new Activation({ fn: 'softmax' }),
  ]);
  model.build([7, 6, 2], { seed: 1 });
  const bytes = await exportOnnx(model, { input: [7, 6, 2] });
  model.dispose();
  return bytes;
}

/** Protobuf-aware damage: cuts, tails, random and boundary bytes (varint continuation, keys, lengths), shifted framing. */
function mutate(seed: Uint8Array, random: () => number): Uint8Array {
  const at = () => Math.floor(random() * seed.length);
  const kind = Math.floor(random() * 6);
  if (kind === 0) return seed.slice(0, at());
  if (kind === 1) {
    const tail = Uint8Array.from({ length: 1 + Math.floor(random() * 32) }, () => Math.floor(random() * 256));
    return Uint8Array.from([...seed, ...tail]);
  }
  if (kind === 2) {
    // Insert or delete a byte: every length prefix after it now lies.
    const k = at();
    return random() < 0.5
      ? Uint8Array.from([...seed.subarray(0, k), Math.floor(random() * 256), ...seed.subarray(k)])
      : Uint8Array.from([...seed.subarray(0, k), ...seed.subarray(k + 1)]);
  }
  const bytes = seed.slice();
  const edits = 1 + Math.floor(random() * 4);
  const boundary = [0x00, 0x01, 0x02, 0x05, 0x07, 0x08, 0x0a, 0x12, 0x1a, 0x22, 0x3a, 0x42, 0x7f, 0x80, 0xff];
  for (let e = 0; e < edits; e++) {
    const k = at();
    if (kind === 3) bytes[k] = Math.floor(random() * 256);
    else if (kind === 4) bytes[k] = boundary[Math.floor(random() * boundary.length)] as number;
    else bytes.fill(random() < 0.5 ? 0xff : 0x80, k, Math.min(bytes.length, k + 1 + Math.floor(random() * 10)));
  }
  return bytes;
}

const MAX_WEIGHTS = 4_000_000;

describe('ONNX import fuzz', () => {
  it('10,000 mutated models: each imports within its size or throws FormatError / UnsupportedError, nothing else', async () => {
    const seeds: Uint8Array[] = [await exportedSeed()];
    const light = join(testdataDir(), 'onnx-light', 'light_squeezenet.onnx');
    const converted = join(testdataDir(), 'onnx-pytorch-converted', 'test_BatchNorm2d_eval', 'model.onnx');
    if (hasTestdata() && existsSync(light))
      seeds.push(new Uint8Array(readFileSync(light)), new Uint8Array(readFileSync(converted)));
    const random = mulberry32(11);
    const built = new Set<string>();
    const outcomes = { accepted: 0, format: 0, unsupported: 0, builds: 0 };
    let slowest = 0;
    for (let i = 0; i < 10_000; i++) {
      const bytes = mutate(seeds[i % seeds.length] as Uint8Array, random);
      const started = performance.now();
      try {
        const result = convertOnnx(bytes, { file: `fuzz-${i}`, maxWeightElements: MAX_WEIGHTS });
        // What the file holds bounds what its weights read: four bytes a value at most (ConstantOfShape fills aside).
        let fromFile = 0;
        for (const weight of result.weights.values()) {
          fromFile += weight.fileBytes;
          if (weight.fileBytes > 0)
            expect(weight.read().length, `iteration ${i}`).toBe(weight.shape.reduce((a, b) => a * b, 1));
        }
        expect(fromFile, `iteration ${i}`).toBeLessThanOrEqual(bytes.length);
        // Build each new architecture once (a few hundred at most): layer code must not throw anything but FormatError.
        const key = JSON.stringify(result.architecture);
        if (!built.has(key) && built.size < 300 && result.input.reduce((a, b) => a * b, 1) < 1e6) {
          built.add(key);
          const { model } = importOnnx(bytes, { file: `fuzz-${i}`, fromJSON, maxWeightElements: MAX_WEIGHTS });
          model.dispose();
          outcomes.builds++;
        }
        outcomes.accepted++;
      } catch (error) {
        if (error instanceof FormatError) outcomes.format++;
        else if (error instanceof UnsupportedError) outcomes.unsupported++;
        else throw new Error(`iteration ${i}: ${String(error)}`, { cause: error });
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    expect(outcomes.format + outcomes.unsupported + outcomes.accepted).toBe(10_000);
    expect(outcomes.format).toBeGreaterThan(2_000);
    expect(outcomes.accepted).toBeGreaterThan(500);
    expect(slowest).toBeLessThan(2_000);
    console.log(`ONNX fuzz: ${JSON.stringify(outcomes)}, slowest ${slowest.toFixed(0)} ms`);
  }, 300_000);
});
