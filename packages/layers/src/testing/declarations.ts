import { type Shape, trace } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { applyWithAuxiliary } from '../auxiliary.js';
import type { Layer } from '../layer.js';
import { fail, values } from './checks.js';
import { checkMacs, type MacsCheck } from './measured-macs.js';

// What a layer declares from shapes alone (its specs, read by summary() and trace) against what it builds
// and computes: a layer that lies shows wrong numbers in every summary, so the harness refuses it.

const LISTED = 8;

/** `[name] [shape]: size` for each weight, the first few of a long list. */
function describeWeights(weights: [string, tf.Variable][]): string {
  if (weights.length === 0) return 'no weights';
  const listed = weights.slice(0, LISTED).map(([name, v]) => `${name} [${v.shape.join(', ')}]: ${v.size}`);
  const more = weights.length > LISTED ? `, … ${weights.length - LISTED} more` : '';
  return `${listed.join(', ')}${more}`;
}

/**
 * How many elements of `weights` some objective's gradient reaches. A weight may hold entries its layer
 * never uses (LeNet-5's C3 connection table zeroes part of the kernel on every call): those are no
 * parameters, and their gradient is exactly 0 for every input.
 */
async function liveElements(weights: tf.Variable[], objectives: readonly (() => tf.Scalar)[]): Promise<number> {
  const live = weights.map((v) => new Uint8Array(v.size));
  for (const objective of objectives) {
    const { value, grads } = tf.variableGrads(objective, weights);
    value.dispose();
    for (const [k, v] of weights.entries()) {
      const g = grads[v.name];
      const mask = live[k] as Uint8Array;
      if (g)
        (await values(g)).forEach((e, i) => {
          if (e !== 0) mask[i] = 1;
        });
    }
    tf.dispose(Object.values(grads));
  }
  return live.reduce((n, mask) => n + mask.reduce((m, e) => m + e, 0), 0);
}

/**
 * The trainable and non-trainable parameter counts the layer's specs declare (as `summary()` reports
 * them) equal the sizes of the weights `build` created, trainable entries no input reaches (masked
 * ones) aside; the failure names the weights of the kind that disagrees and both counts.
 */
export async function checkParameters(
  layer: Layer,
  input: Shape,
  objectives: readonly (() => tf.Scalar)[],
): Promise<void> {
  const { totals } = trace(input, layer.shapes(input).specs);
  const weights = layer.namedWeights();
  const kinds = [
    { kind: 'trainable', trainable: true, declared: totals.trainable },
    { kind: 'non-trainable', trainable: false, declared: totals.nonTrainable },
  ];
  for (const { kind, trainable, declared } of kinds) {
    const own = weights.filter(([, v]) => v.trainable === trainable);
    const built = own.reduce((n, [, v]) => n + v.size, 0);
    if (built === declared) continue;
    const live =
      trainable && built > declared
        ? await liveElements(
            own.map(([, v]) => v),
            objectives,
          )
        : built;
    if (live === declared) continue;
    const reached = live === built ? '' : `, ${live} of them reached by a gradient`;
    fail(
      layer.name,
      'parameters',
      `declared ${declared} ${kind}, the built weights hold ${built}${reached} (${describeWeights(own)})`,
    );
  }
}

/**
 * The inputs the gradient checks try in turn: a standard normal first (the harness's usual input, so a
 * layer's report does not change), then inputs shifted up, shifted down and wider, which move every ReLU
 * and max across its switch point.
 */
export function probeInputs(shape: number[], seed: number): [tf.Tensor, ...tf.Tensor[]] {
  return [
    tf.randomNormal(shape, 0, 1, 'float32', seed + 7),
    tf.randomNormal(shape, 1, 1, 'float32', seed + 8),
    tf.randomNormal(shape, -1, 1, 'float32', seed + 9),
    tf.randomNormal(shape, 0, 3, 'float32', seed + 10),
  ];
}

/**
 * A weighted sum of the layer's output on each probe input (random weights `r`, so every output
 * element matters and none cancel); auxiliary heads (GoogLeNet's) take part through their outputs.
 */
export function objectivesOf(
  layer: Layer,
  probes: readonly tf.Tensor[],
  r: tf.Tensor,
  training: boolean,
): (() => tf.Scalar)[] {
  return probes.map((probe) => () => {
    const { output, auxiliary } = applyWithAuxiliary(layer, probe, { training, seed: 3 });
    return tf.addN([tf.sum(tf.mul(output, r)), ...auxiliary.map((a) => tf.sum(a))]) as tf.Scalar;
  });
}

/** The input with its height and width doubled, for a rank-3 (image) input; none for other ranks. */
export function defaultExtraInputs(input: Shape): Shape[] {
  if (input.length !== 3) return [];
  const [h, w, c] = input as [number, number, number];
  return [[2 * h, 2 * w, c]];
}

/**
 * A fresh layer built for `input` computes the output shape it declares for it, and holds the
 * parameters and MACs (as `macs` says) it declares for it. Only the forward pass runs (and gradients only to count the entries a
 * mask leaves out): gradients were checked at the first size.
 */
export async function checkOutputShapeAt(
  make: () => Layer,
  input: Shape,
  options: { batch: number; seed: number; training: boolean; macs: MacsCheck },
): Promise<void> {
  const { batch, seed, training, macs } = options;
  const layer = make();
  const probes = probeInputs([batch, ...input], seed);
  let r: tf.Tensor | undefined;
  try {
    const declared = layer.outputShape(input);
    layer.build(input, { seed });
    const computed = tf.tidy(() => layer.apply(probes[0], { training, seed: 3 }).shape.slice(1));
    if (computed.join() !== declared.join()) {
      const shapes = `declared [${declared.join(', ')}], computed [${computed.join(', ')}]`;
      fail(layer.name, 'output shape', `for input [${input.join(', ')}] ${shapes}`);
    }
    r = tf.randomUniform([batch, ...computed], 0.5, 1.5, 'float32', seed + 11);
    await checkParameters(layer, input, objectivesOf(layer, probes, r, training));
    await checkMacs(layer, input, macs);
  } finally {
    tf.dispose([...probes, ...(r ? [r] : [])]);
    layer.dispose();
  }
}

/** The default extra inputs the layer accepts from shapes alone (a layer may reject a larger input). */
export function acceptedInputs(make: () => Layer, inputs: Shape[]): Shape[] {
  const probe = make();
  const accepted = inputs.filter((input) => {
    try {
      probe.outputShape(input);
      return true;
    } catch {
      return false;
    }
  });
  probe.dispose();
  return accepted;
}
