/**
 * `@convkit/layers/testing`: the harness every built-in layer passes and
 * that downstream layer authors run on theirs, in any test runner (it throws
 * an `Error` naming the failed check).
 *
 * @packageDocumentation
 */
import type { Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { applyWithAuxiliary } from '../auxiliary.js';
import type { Layer } from '../layer.js';
import { checkGradients, checkRoundTrip, fail, values } from './checks.js';

/** Options of {@link runLayerTest}. */
export interface LayerTestOptions {
  /** Input shape without the batch, channels last. */
  input: Shape;
  /** Default 2. */
  batch?: number;
  /** Weight seed. Default 1. */
  seed?: number;
  /** Run in training mode (dropout with a fixed seed). Default false. */
  training?: boolean;
  /** Finite-difference tolerance: |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults 5e-2 and 2e-3. */
  rtol?: number;
  atol?: number;
  /** Weight elements checked by finite differences, per weight. Default 4. */
  samples?: number;
}

/** What {@link runLayerTest} checked. */
export interface LayerTestReport {
  outputShape: number[];
  weights: string[];
  checkedGradients: number;
}

/**
 * Checks a layer end to end on the active backend:
 * 1. the declared output shape (`outputShape`, from shapes alone) equals the computed one;
 * 2. every trainable weight gets a finite, non-zero gradient that matches finite differences;
 * 3. `fromJSON(toJSON(layer))` rebuilds a layer with the same JSON and, with the same seed, the same output;
 * 4. the same seed gives the same weights and output;
 * 5. no tensor leaks.
 *
 * @example
 * ```ts
 * await runLayerTest(() => new Conv2d({ filters: 4, kernel: 3 }), { input: [8, 8, 3] });
 * ```
 */
export async function runLayerTest(make: () => Layer, options: LayerTestOptions): Promise<LayerTestReport> {
  const { input, batch = 2, seed = 1, training = false, rtol = 5e-2, atol = 2e-3, samples = 4 } = options;
  const before = tf.memory().numTensors;
  const layer = make();
  const name = layer.name;
  const declared = layer.outputShape(input);
  layer.build(input, { seed });
  const x = tf.randomNormal([batch, ...input], 0, 1, 'float32', seed + 7);
  const apply = (l: Layer) => l.apply(x, { training, seed: 3 });

  const y = apply(layer);
  const computed = y.shape.slice(1);
  if (computed.join() !== declared.join()) {
    fail(name, 'output shape', `declared [${declared.join(', ')}], computed [${computed.join(', ')}]`);
  }
  const expected = await values(y);

  // Gradients of a weighted sum, so every output element matters.
  const r = tf.randomUniform(y.shape, 0.5, 1.5, 'float32', seed + 11);
  y.dispose();
  // Auxiliary heads (GoogLeNet's) take part in the gradient check through their outputs.
  const objective = () => {
    const { output, auxiliary } = applyWithAuxiliary(layer, x, { training, seed: 3 });
    return tf.addN([tf.sum(tf.mul(output, r)), ...auxiliary.map((a) => tf.sum(a))]) as tf.Scalar;
  };
  const checked = await checkGradients(layer, objective, { rtol, atol, samples });
  r.dispose();

  await checkRoundTrip(layer, input, seed, apply, expected);
  const weights = layer.namedWeights().map(([weightName]) => weightName);
  layer.dispose();
  x.dispose();
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) fail(name, 'no leaks', `${leaked} tensors left behind`);
  return { outputShape: computed, weights, checkedGradients: checked };
}
