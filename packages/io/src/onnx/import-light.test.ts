import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { fromJSON } from '@convkit/layers';
import { decodeGraph, decodeTensor, hasTestdata, tensorValues, testdataDir } from '@convkit/testdata';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { close, fromNhwc, toNhwc } from '../../test/nchw.js';
import { randomizeFilledWeights, truncateGraph } from '../../test/onnx-truncate.js';
import { runOnnx } from '../../test/ort.js';
import { maxAbsDiff } from '../../test/random.js';
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
    // Caffe2's ResNet-50: 16 residual Sums (4 with a projection conv, 12 identity); one unused [1, 1] initializer.
    ['resnet50', false, 1],
    // ShuffleNet v1 (Caffe2, groups 4): 16 channel shuffles, 13 stride-1 Sums, 3 stride-2 Concats with an average pool.
    ['shufflenet', false, 0],
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
      const layersOf = (json: unknown, which: string): number => {
        const { type, config } = json as { type: string; config: { layers?: unknown[]; branches?: unknown[] } };
        return (
          (type === which ? 1 : 0) +
          [...(config.layers ?? []), ...(config.branches ?? [])].reduce<number>((a, c) => a + layersOf(c, which), 0)
        );
      };
      // Every join and shuffle of the graph is one convkit layer (the Adds and Muls of DenseNet and BN-Inception fold).
      expect(layersOf(converted.architecture, 'concat')).toBe(light.op_counts.Concat ?? 0);
      expect(layersOf(converted.architecture, 'add')).toBe(light.op_counts.Sum ?? 0);
      expect(layersOf(converted.architecture, 'channelShuffle')).toBe(light.op_counts.Transpose ?? 0);

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

  // The stored outputs above are uniform (every weight 0.02): with seeded random weights in their place, the map
  // before the last average pool sees the strides, residual joins and channel shuffles. onnxruntime-node on the
  // same graph cut there is the oracle.
  it.each(['resnet50', 'shufflenet'])(
    "%s with random weights: the map before the last average pool is onnxruntime's",
    async (name) => {
      const bytes = randomizeFilledWeights(bytesOf(name), 23);
      const { model } = importOnnx(bytes, { fromJSON, file: `light_${name}.onnx` });
      const layers = model.children;
      const cut = layers.map((l) => l.type).lastIndexOf('avgPool2d');
      const x = input();
      const map = tf.tidy(() => layers.slice(0, cut).reduce((t, l) => l.apply(t), x));
      const pool = decodeGraph(bytes)
        .nodes.filter((n) => n.op === 'AveragePool')
        .at(-1);
      const ort = await runOnnx(truncateGraph(bytes, pool?.inputs[0] ?? ''), fromNhwc(x), [1, 3, 224, 224]);
      expect(ort.dims).toEqual([1, map.shape[3], map.shape[1], map.shape[2]]);
      // Float32 sums in another order over 50 layers: judged against the map's scale (measured 7e-7 and 4e-7 of it).
      const scale = Math.max(...Array.from(ort.data, Math.abs));
      expect(scale).toBeGreaterThan(1); // a real signal
      expect(maxAbsDiff(fromNhwc(map), ort.data)).toBeLessThan(1e-5 * scale);
      tf.dispose([x, map]);
      model.dispose();
    },
    180_000,
  );
});
