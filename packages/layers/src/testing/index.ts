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
import { fromJSON } from '../registry.js';

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

function fail(layer: string, check: string, detail: string): never {
  throw new Error(`runLayerTest(${layer}): ${check}: ${detail}`);
}

/** Assigns plain values to a variable without leaving the staging tensor behind. */
function setValues(v: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, v.shape);
  v.assign(t);
  t.dispose();
}

async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
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
  // Auxiliary heads (GoogLeNet's) take part in the gradient check through their outputs.
  const applyAll = (l: Layer) => applyWithAuxiliary(l, x, { training, seed: 3 });

  const y = apply(layer);
  const computed = y.shape.slice(1);
  if (computed.join() !== declared.join()) {
    fail(name, 'output shape', `declared [${declared.join(', ')}], computed [${computed.join(', ')}]`);
  }
  const expected = await values(y);

  // Gradients of a weighted sum, so every output element matters.
  const r = tf.randomUniform(y.shape, 0.5, 1.5, 'float32', seed + 11);
  y.dispose();
  const objective = () => {
    const { output, auxiliary } = applyAll(layer);
    return tf.addN([tf.sum(tf.mul(output, r)), ...auxiliary.map((a) => tf.sum(a))]) as tf.Scalar;
  };
  const trainable = layer.trainableWeights();
  const names = new Map(layer.namedWeights().map(([n, v]) => [v, n]));
  const nameOf = (v: tf.Variable) => names.get(v) ?? v.name;
  let checked = 0;
  if (trainable.length > 0) {
    const { value, grads } = tf.variableGrads(objective, trainable);
    value.dispose();
    for (const v of trainable) {
      const g = grads[v.name];
      if (!g) fail(name, 'gradients', `no gradient reaches ${nameOf(v)}`);
      const gv = await values(g);
      if (gv.some((e) => !Number.isFinite(e))) fail(name, 'gradients', `${nameOf(v)} has a non-finite gradient`);
      if (gv.every((e) => e === 0)) fail(name, 'gradients', `${nameOf(v)}'s gradient is all zeros`);
      const original = await values(v);
      let agreed = 0;
      // Sample elements spread over the weight; a sample where the objective
      // is not smooth (a ReLU or max switching inside the step, seen as two
      // step sizes disagreeing) is skipped, but each weight needs agreements.
      for (let s = 0; s < 4 * samples && agreed < Math.min(samples, original.length); s++) {
        const i = Math.floor((((s * 0.618034) % 1) + 0.5 / original.length) * original.length) % original.length;
        const at = async (delta: number) => {
          const changed = Float32Array.from(original);
          changed[i] = (changed[i] as number) + delta;
          setValues(v, changed);
          const out = tf.tidy(objective);
          const [result] = await values(out);
          out.dispose();
          return result as number;
        };
        const step = 2e-3 * Math.max(1, Math.abs(original[i] as number));
        const wide = ((await at(step)) - (await at(-step))) / (2 * step);
        const narrow = ((await at(step / 4)) - (await at(-step / 4))) / (step / 2);
        setValues(v, original);
        const tolerance = (reference: number) => atol + rtol * Math.abs(reference);
        if (Math.abs(wide - narrow) > tolerance(narrow)) continue;
        const analytic = gv[i] as number;
        if (Math.abs(analytic - narrow) > tolerance(narrow)) {
          fail(name, 'finite differences', `${nameOf(v)}[${i}]: gradient ${analytic}, finite difference ${narrow}`);
        }
        agreed++;
        checked++;
      }
      if (agreed === 0) fail(name, 'finite differences', `no smooth point found to check ${nameOf(v)}`);
    }
    tf.dispose(Object.values(grads));
  }
  r.dispose();

  // Serialization round trip, and the same seed giving the same bits.
  const json = JSON.stringify(layer.toJSON());
  const copy = fromJSON(JSON.parse(json));
  if (JSON.stringify(copy.toJSON()) !== json)
    fail(name, 'serialization', `toJSON after fromJSON differs: ${JSON.stringify(copy.toJSON())} vs ${json}`);
  copy.build(input, { seed });
  const again = apply(copy);
  const repeated = await values(again);
  again.dispose();
  if (repeated.some((e, i) => e !== expected[i]))
    fail(name, 'same seed, same output', 'a rebuilt layer with the same seed computed different values');

  const weights = layer.namedWeights().map(([weightName]) => weightName);
  copy.dispose();
  layer.dispose();
  x.dispose();
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) fail(name, 'no leaks', `${leaked} tensors left behind`);
  return { outputShape: computed, weights, checkedGradients: checked };
}
