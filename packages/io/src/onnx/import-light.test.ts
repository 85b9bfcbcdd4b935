import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { fromJSON } from '@convkit/layers';
import { decodeTensor, hasTestdata, tensorValues, testdataDir } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { close, fromNhwc, toNhwc } from '../../test/nchw.js';
import { UnsupportedError } from '../errors.js';
import { convertOnnx, importOnnx } from './import.js';

interface LightModel {
  model: string;
  expected_output_files: string[];
  inputs: { name: string; shape: number[] }[];
  total_float_elements: number;
  op_counts: Record<string, number>;
}

const dir = () => join(testdataDir(), 'onnx-light');
const present = hasTestdata() && existsSync(join(dir(), 'manifest.json'));
const manifest = (): LightModel[] =>
  (JSON.parse(readFileSync(join(dir(), 'manifest.json'), 'utf8')) as { models: LightModel[] }).models;
const entry = (name: string): LightModel => {
  const found = manifest().find((m) => m.model === `light_${name}.onnx`);
  if (!found) throw new Error(`no light_${name}.onnx in the manifest`);
  return found;
};
const bytesOf = (name: string) => new Uint8Array(readFileSync(join(dir(), `light_${name}.onnx`)));

beforeAll(async () => {
  await initBackend('cpu');
});

describe.skipIf(!present)('importOnnx on the ONNX light whole networks', () => {
  // The upstream runner's input: element k of [1, 3, 224, 224] is k / n, row-major NCHW.
  const input = () => {
    const n = 3 * 224 * 224;
    return toNhwc(
      Float32Array.from({ length: n }, (_, k) => k / n),
      [1, 3, 224, 224],
    );
  };

  it.each([
    // BN-Inception and DenseNet convert Caffe's Scale layer to a per-channel Mul and Add, which fold into γ and β.
    // zfnet512 carries one unused [1, 1] float initializer (README.md), which the manifest counts.
    ['bvlc_alexnet', false, 0],
    ['inception_v1', false, 0],
    ['inception_v2', true, 0],
    ['squeezenet', false, 0],
    ['zfnet512', false, 1],
    ['densenet121', true, 0],
    ['vgg19', false, 0],
  ] as const)(
    '%s: the weights the manifest counts, and the stored output',
    (name, folded, unused) => {
      const light = entry(name);
      const converted = convertOnnx(bytesOf(name), { file: light.model });
      let elements = 0;
      let scaleShift = 0;
      for (const [weight, { shape }] of converted.weights) {
        const count = shape.reduce((a, b) => a * b, 1);
        elements += count;
        if (weight.endsWith('/movingMean')) scaleShift += 2 * count;
      }
      expect(elements + (folded ? scaleShift : 0) + unused).toBe(light.total_float_elements);
      const concats = (json: unknown): number => {
        const { type, config } = json as { type: string; config: { layers?: unknown[]; branches?: unknown[] } };
        return (
          (type === 'concat' ? 1 : 0) +
          [...(config.layers ?? []), ...(config.branches ?? [])].reduce<number>((a, c) => a + concats(c), 0)
        );
      };
      expect(concats(converted.architecture)).toBe(light.op_counts.Concat ?? 0);

      const { model } = importOnnx(bytesOf(name), { fromJSON, file: light.model });
      const x = input();
      const y = tf.tidy(() => model.apply(x));
      const expected = tensorValues(decodeTensor(readFileSync(join(dir(), light.expected_output_files[0] ?? ''))));
      expect(close(fromNhwc(y), expected)).toBeUndefined();
      tf.dispose([x, y]);
      model.dispose();
    },
    180_000,
  );

  it.each([
    ['resnet50', /^node "n14" \(Sum\): convkit has no layer for ONNX Sum/],
    ['shufflenet', /^node "n7" \(Reshape\): reshapes \[N, 56, 56, 112\]/],
  ])('%s: UnsupportedError naming the first node convkit has no layer for', (name, message) => {
    expect(() => convertOnnx(bytesOf(name))).toThrow(UnsupportedError);
    expect(() => convertOnnx(bytesOf(name))).toThrow(message);
  });
});
