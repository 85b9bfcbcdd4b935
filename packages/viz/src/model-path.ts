import { ConfigError, type Layer, Sequential } from '@convkit/layers';
import { type LayerSpec, type ReceptiveField2d, type Shape, trace } from '@convkit/shape';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Every layer name reachable through sequential containers, outermost first
 * (the names `activationAt`, `topPatches` and the other tools accept).
 *
 * @example
 * ```ts
 * layerNames(sequential([new Conv2d({ filters: 6, kernel: 5 }), new MaxPool2d({ kernel: 2 })]));
 * // ['sequential', 'conv2d1', 'maxPool2d1']
 * ```
 */
export function layerNames(model: Layer): string[] {
  const names = [model.name];
  if (model instanceof Sequential) for (const child of model.children) names.push(...layerNames(child));
  return names;
}

/**
 * The layers to apply one after another to go from the model's input to the
 * output of the layer called `name` (the model itself, or any layer inside
 * nested sequential containers, which are opened on the way; containers
 * before it run whole). Throws a `ConfigError` listing the names.
 *
 * @example
 * ```ts
 * // model = sequential([sequential([conv1, pool1], { name: 'stem' }), conv2, …])
 * layerPath(model, 'pool1').map((l) => l.name); // ['conv1', 'pool1']
 * layerPath(model, 'conv2').map((l) => l.name); // ['stem', 'conv2']
 * ```
 */
export function layerPath(model: Layer, name: string, op = 'layerPath'): Layer[] {
  const found = search(model, name);
  if (!found) {
    throw new ConfigError(
      op,
      `no layer named ${JSON.stringify(name)} in ${model.name}: the layers are ${layerNames(model).join(', ')}`,
    );
  }
  return found;
}

function search(layer: Layer, name: string): Layer[] | undefined {
  if (layer.name === name) return [layer];
  if (!(layer instanceof Sequential)) return undefined;
  const before: Layer[] = [];
  for (const child of layer.children) {
    const inner = search(child, name);
    if (inner) return [...before, ...inner];
    before.push(child);
  }
  return undefined;
}

/**
 * The output of the named layer for a batch (NHWC), in inference mode
 * unless `training`. The caller owns (and disposes) the result.
 *
 * @example
 * ```ts
 * const maps = activationAt(model, x, 'conv1'); // [batch, 28, 28, 6]
 * ```
 */
export function activationAt(model: Layer, x: tf.Tensor, name: string, training = false): tf.Tensor {
  const path = layerPath(model, name, 'activationAt');
  let h = x;
  for (const layer of path) {
    const next = layer.apply(h, { training });
    if (h !== x) h.dispose();
    h = next;
  }
  return h === x ? h.clone() : h;
}

/**
 * The geometry from the input to the named layer's output, traced by
 * `@convkit/shape`: the layer's output shape and, while the output is still
 * an image, its units' receptive field (`size`, `jump` = product of strides,
 * `start` = centre of unit 0's field, in input pixels, per height and width).
 *
 * @example
 * ```ts
 * fieldAt(model, [28, 28, 1], 'pool1').receptiveField; // { size: [6, 6], jump: [2, 2], start: [2.5, 2.5] }
 * ```
 */
export function fieldAt(
  model: Layer,
  input: Shape,
  name: string,
): { outputShape: number[]; receptiveField?: ReceptiveField2d } {
  const path = layerPath(model, name, 'fieldAt');
  const specs: LayerSpec[] = [];
  let shape: Shape = input;
  for (const layer of path) {
    specs.push(...layer.specs(shape));
    shape = layer.outputShape(shape);
  }
  const last = trace(input, specs).rows.at(-1);
  const out: { outputShape: number[]; receptiveField?: ReceptiveField2d } = { outputShape: [...shape] };
  if (last?.receptiveField) out.receptiveField = last.receptiveField;
  return out;
}

/**
 * The HWIO kernel of a convolution inside a model, by layer name (its
 * `<name>/kernel` weight).
 *
 * @example
 * ```ts
 * filterGrid(layerKernel(model, 'conv1'));
 * ```
 */
export function layerKernel(model: Layer, name: string): tf.Variable {
  const weights = model.namedWeights();
  const found = weights.find(([n]) => n === `${name}/kernel`);
  if (found?.[1].rank !== 4) {
    const kernels = weights.filter(([n, v]) => n.endsWith('/kernel') && v.rank === 4).map(([n]) => n);
    throw new ConfigError(
      name,
      `has no 4-D kernel weight ${JSON.stringify(`${name}/kernel`)}${model.built ? '' : ' (the model is not built: call build(inputShape) first)'}: the convolution kernels are ${kernels.join(', ') || 'none'}`,
    );
  }
  return found[1];
}
