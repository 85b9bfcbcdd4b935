import type { Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from '../layer.js';
import { fromJSON } from '../registry.js';

// The checks runLayerTest makes, one concern each; every failure is an Error naming the layer and the check.

export function fail(layer: string, check: string, detail: string): never {
  throw new Error(`runLayerTest(${layer}): ${check}: ${detail}`);
}

/** Assigns plain values to a variable without leaving the staging tensor behind. */
function setValues(v: tf.Variable, data: Float32Array): void {
  const t = tf.tensor(data, v.shape);
  v.assign(t);
  t.dispose();
}

export async function values(t: tf.Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}

/** Finite-difference tolerance and how many elements of each weight to check. */
interface Tolerance {
  rtol: number;
  atol: number;
  samples: number;
}

/**
 * Every trainable weight gets a finite, non-zero gradient that matches finite differences, for at least
 * one of the `objectives` (the same loss on different inputs, tried in turn); returns how many weight
 * elements were checked. One input is not enough: a small ReLU bottleneck (a Squeeze-and-Excitation
 * gate's 2 units over channel averages near 0) can be dead for every image of one batch and alive for
 * the next, while a weight no input reaches stays all zeros for every one of them.
 */
export async function checkGradients(
  layer: Layer,
  objectives: readonly (() => tf.Scalar)[],
  tolerance: Tolerance,
): Promise<number> {
  const names = new Map(layer.namedWeights().map(([n, v]) => [v, n]));
  const nameOf = (v: tf.Variable) => names.get(v) ?? v.name;
  const pending = new Set(layer.trainableWeights());
  const rough = new Set<tf.Variable>();
  let checked = 0;
  for (const objective of objectives) {
    if (pending.size === 0) break;
    const { value, grads } = tf.variableGrads(objective, [...pending]);
    value.dispose();
    try {
      for (const v of [...pending]) {
        const agreed = await checkOne(v, grads[v.name], objective, tolerance, layer.name, nameOf(v));
        if (agreed === 'rough') rough.add(v);
        if (typeof agreed === 'number') {
          checked += agreed;
          pending.delete(v);
        }
      }
    } finally {
      tf.dispose(Object.values(grads));
    }
  }
  for (const v of pending) {
    if (rough.has(v)) fail(layer.name, 'finite differences', `no smooth point found to check ${nameOf(v)}`);
    fail(layer.name, 'gradients', `${nameOf(v)}'s gradient is all zeros for all ${objectives.length} inputs tried`);
  }
  return checked;
}

/**
 * One weight's gradient under one objective: how many sampled elements agreed with finite differences,
 * or why this input cannot tell (all zeros; no smooth point). A missing or non-finite gradient fails.
 */
async function checkOne(
  v: tf.Variable,
  g: tf.Tensor | undefined,
  objective: () => tf.Scalar,
  tolerance: Tolerance,
  layer: string,
  weight: string,
): Promise<number | 'zeros' | 'rough'> {
  if (!g) fail(layer, 'gradients', `no gradient reaches ${weight}`);
  const gv = await values(g);
  if (gv.some((e) => !Number.isFinite(e))) fail(layer, 'gradients', `${weight} has a non-finite gradient`);
  if (gv.every((e) => e === 0)) return 'zeros';
  const agreed = await checkFiniteDifferences(v, gv, objective, tolerance, layer, weight);
  return agreed === 0 ? 'rough' : agreed;
}

/**
 * The analytic gradient `gv` of one weight against central differences at sampled elements spread over
 * it; returns how many agreed. A sample where the objective is not smooth (a ReLU or max switching inside
 * the step, seen as two step sizes disagreeing) is skipped.
 */
async function checkFiniteDifferences(
  v: tf.Variable,
  gv: Float32Array,
  objective: () => tf.Scalar,
  { rtol, atol, samples }: Tolerance,
  layer: string,
  weight: string,
): Promise<number> {
  const original = await values(v);
  const at = async (i: number, delta: number) => {
    const changed = Float32Array.from(original);
    changed[i] = (changed[i] as number) + delta;
    setValues(v, changed);
    const out = tf.tidy(objective);
    const [result] = await values(out);
    out.dispose();
    return result as number;
  };
  const tolerance = (reference: number) => atol + rtol * Math.abs(reference);
  let agreed = 0;
  for (let s = 0; s < 4 * samples && agreed < Math.min(samples, original.length); s++) {
    const i = Math.floor((((s * 0.618034) % 1) + 0.5 / original.length) * original.length) % original.length;
    const step = 2e-3 * Math.max(1, Math.abs(original[i] as number));
    const wide = ((await at(i, step)) - (await at(i, -step))) / (2 * step);
    const narrow = ((await at(i, step / 4)) - (await at(i, -step / 4))) / (step / 2);
    setValues(v, original);
    if (Math.abs(wide - narrow) > tolerance(narrow)) continue;
    const analytic = gv[i] as number;
    if (Math.abs(analytic - narrow) > tolerance(narrow)) {
      fail(layer, 'finite differences', `${weight}[${i}]: gradient ${analytic}, finite difference ${narrow}`);
    }
    agreed++;
  }
  return agreed;
}

/** `fromJSON(toJSON(layer))` gives the same JSON and, built with the same seed, the same output bits. */
export async function checkRoundTrip(
  layer: Layer,
  input: Shape,
  seed: number,
  apply: (l: Layer) => tf.Tensor,
  expected: Float32Array,
): Promise<void> {
  const json = JSON.stringify(layer.toJSON());
  const copy = fromJSON(JSON.parse(json));
  if (JSON.stringify(copy.toJSON()) !== json)
    fail(layer.name, 'serialization', `toJSON after fromJSON differs: ${JSON.stringify(copy.toJSON())} vs ${json}`);
  copy.build(input, { seed });
  const again = apply(copy);
  const repeated = await values(again);
  again.dispose();
  if (repeated.some((e, i) => e !== expected[i]))
    fail(layer.name, 'same seed, same output', 'a rebuilt layer with the same seed computed different values');
  copy.dispose();
}
