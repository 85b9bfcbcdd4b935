import { fromJSON, type Layer } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { exportOnnx } from '../src/onnx/export.js';
import { importOnnx } from '../src/onnx/import.js';
import { runOnnx } from './ort.js';
import { maxAbsDiff, uniform } from './random.js';

// The two oracles of the ONNX tests: onnxruntime-node on the exported graph, and convkit itself on the graph imported back.

/** convkit's forward and onnxruntime's on the exported graph, for the same seeded NHWC input. */
export async function compareWithOrt(model: Layer, input: [number, number, number], batch: number) {
  const x = uniform(batch * input[0] * input[1] * input[2], 7);
  const y = tf.tidy(() => model.apply(tf.tensor(x, [batch, ...input])));
  const want = { dims: y.shape, data: (await y.data()) as Float32Array };
  y.dispose();
  const bytes = await exportOnnx(model, { input });
  const got = await runOnnx(bytes, x, [batch, ...input]);
  expect(got.dims).toEqual(want.dims);
  const scale = Math.max(...Array.from(want.data, Math.abs));
  return { bytes, diff: maxAbsDiff(got.data, want.data), scale };
}

/** convkit → ONNX → convkit: the same layers and weights, so the same outputs bit for bit. */
export async function roundTrip(model: Layer, input: [number, number, number], batch = 2) {
  const bytes = await exportOnnx(model, { input });
  const imported = importOnnx(bytes, { fromJSON, file: `${model.name}.onnx` });
  expect(imported.input).toEqual(input);
  expect(imported.inputLayout).toBe('NHWC');
  const x = tf.tensor(uniform(batch * input[0] * input[1] * input[2], 9), [batch, ...input]);
  const [a, b] = tf.tidy(() => [model.apply(x), imported.model.apply(x)]) as [tf.Tensor, tf.Tensor];
  expect(b.shape).toEqual(a.shape);
  expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
  tf.dispose([x, a, b]);
  return imported;
}
