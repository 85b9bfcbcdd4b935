import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedError } from './errors.js';

/**
 * The parts of a convkit layer (`Layer` from `@convkit/layers`) that io
 * reads and writes. Every convkit layer and model fits; io takes them by
 * shape, not by import, so the package needs no layer code at run time.
 */
export interface LayerLike {
  readonly type: string;
  readonly name: string;
  readonly config: object;
  outputShape(input: readonly number[]): number[];
  namedWeights(): [string, tf.Variable][];
  setWeights(values: Record<string, tf.Tensor>): void;
  /**
   * The layers it contains, as `Layer.children` (optional here so that a
   * plain object describing one leaf layer still fits).
   */
  readonly children?: readonly LayerLike[];
}

/** A container's children (sequential, concat, auxiliary head, a downstream container), or none for a leaf layer. */
export function childrenOf(layer: LayerLike): readonly LayerLike[] {
  return layer.children ?? [];
}

/** Values and shape of one weight, as `encodeSafetensors` and `assignWeights` take them. */
export interface WeightValues {
  data: Float32Array;
  shape: readonly number[];
}

/** A leaf layer's weights by short name (`kernel`, `bias`, `gamma`, …). */
export function ownWeights(layer: LayerLike): Map<string, tf.Variable> {
  const prefix = `${layer.name}/`;
  return new Map(
    layer.namedWeights().map(([name, v]) => [name.startsWith(prefix) ? name.slice(prefix.length) : name, v]),
  );
}

/** Every weight of a model, read once, by variable: what the exports write from. */
export type ReadWeights = ReadonlyMap<tf.Variable, Float32Array>;

/**
 * Reads every weight of a model (its own and its children's) once, with
 * `await data()`: on WebGPU a synchronous read stalls the page, so the
 * exports read everything up front and then write without touching a tensor.
 *
 * @example
 * ```ts
 * const weights = await readWeights(model);
 * valuesOf(weights, fc.namedWeights()[0][1]); // Float32Array
 * ```
 */
export async function readWeights(model: LayerLike): Promise<ReadWeights> {
  const variables = new Set<tf.Variable>();
  const visit = (layer: LayerLike) => {
    for (const [, v] of layer.namedWeights()) variables.add(v);
    for (const child of childrenOf(layer)) visit(child);
  };
  visit(model);
  const all = [...variables];
  const data = await Promise.all(all.map((v) => v.data()));
  return new Map(
    all.map((v, i) => {
      const d = data[i];
      return [v, d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>)];
    }),
  );
}

/**
 * A variable's values from `readWeights`, as float32. A variable the model did not list (a layer that
 * holds a weight outside `namedWeights()`) throws naming it, instead of reading it synchronously.
 */
export function valuesOf(weights: ReadWeights, variable: tf.Variable): Float32Array {
  const values = weights.get(variable);
  if (!values) {
    throw new UnsupportedError(
      `weight ${JSON.stringify(variable.name)} [${variable.shape.join(', ')}]`,
      "was not read before export: list every weight in its layer's namedWeights()",
    );
  }
  return values;
}

/**
 * Assigns weights by full name (`<layer>/<weight>`) from plain arrays, all
 * or nothing (the model's `setWeights` checks every name and shape first).
 *
 * @example
 * ```ts
 * assignWeights(model, { 'fc/bias': { data: new Float32Array(10), shape: [10] } });
 * ```
 */
export function assignWeights(model: LayerLike, values: Record<string, WeightValues>): void {
  tf.tidy(() => {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, { data, shape }] of Object.entries(values))
      tensors[name] = tf.tensor(data, [...shape], 'float32');
    model.setWeights(tensors);
  });
}

/** A Flatten of a `[h, w, c]` map and the dense layer that reads its output. */
export interface FlattenSource {
  flatten: LayerLike;
  map: [number, number, number];
}

/**
 * The dense layers that read a flattened `[h, w, c]` map: after a Flatten,
 * through dropout and activation layers (which commute with reordering the
 * features), in the same sequential. Their kernel rows are in convkit's
 * (h, w, c) order where PyTorch and ONNX graphs flatten (c, h, w).
 *
 * @example
 * ```ts
 * flattenedDenses(vgg16, [224, 224, 3]).get(fc6)?.map; // [7, 7, 512]
 * ```
 */
export function flattenedDenses(model: LayerLike, input: readonly number[]): Map<LayerLike, FlattenSource> {
  const found = new Map<LayerLike, FlattenSource>();
  const visit = (layer: LayerLike, shape: number[]): number[] => {
    const children = childrenOf(layer);
    if (layer.type === 'sequential') {
      children.forEach((child, i) => {
        if (child.type === 'flatten' && shape.length === 3) {
          const reader = denseAfter(children, i);
          if (reader) found.set(reader, { flatten: child, map: shape as [number, number, number] });
        }
        shape = visit(child, shape);
      });
      return shape;
    }
    // Branch containers: every branch sees the container's input.
    if (BRANCHING.has(layer.type)) {
      for (const child of children) visit(child, shape);
      return layer.type === 'auxiliaryHead' ? shape : layer.outputShape(shape);
    }
    return layer.outputShape(shape);
  };
  visit(model, [...input]);
  return found;
}

/** Containers whose children all read the container's input (an auxiliary head passes it on). */
const BRANCHING = new Set(['concat', 'add', 'multiply', 'auxiliaryHead']);

/** The dense layer that reads what sibling `i` (a Flatten) gives, if only reorder-neutral layers stand between. */
function denseAfter(siblings: readonly LayerLike[], i: number): LayerLike | undefined {
  for (const next of siblings.slice(i + 1)) {
    if (next.type === 'dense') return next;
    if (next.type !== 'dropout' && next.type !== 'activation') return undefined;
  }
  return undefined;
}
