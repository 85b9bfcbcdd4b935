import { applyWithAuxiliary, ConfigError, type Layer, walkLayers } from '@convkit/layers';
import { type LayerSpec, type ReceptiveField2d, type Shape, type TraceRow, trace } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Every layer name in the model, outermost first, depth-first: inside
 * sequential models, inception branches, auxiliary heads and downstream
 * containers alike (the names `activationAt`, `topPatches` and the other
 * tools accept).
 *
 * @example
 * ```ts
 * layerNames(sequential([new Conv2d({ filters: 6, kernel: 5 }), new MaxPool2d({ kernel: 2 })]));
 * // ['sequential', 'conv2d1', 'maxPool2d1']
 * ```
 */
export function layerNames(model: Layer): string[] {
  return walkLayers(model).map((v) => v.layer.name);
}

/**
 * How the containers viz can open feed their children: a sequential chains
 * them; the branches of a concat or a merge (add, multiply) and an
 * auxiliary head's classifier each see the container's own input. Other containers are reached by running the whole
 * model (see {@link activationAt}).
 */
const WIRING: Record<string, 'chain' | 'parallel'> = {
  sequential: 'chain',
  concat: 'parallel',
  add: 'parallel',
  multiply: 'parallel',
  auxiliaryHead: 'parallel',
};

/**
 * The layers to apply one after another to go from the model's input to the
 * output of the layer called `name` (the model itself, or any layer inside
 * nested sequential models, inception branches and auxiliary heads, which
 * are opened on the way; containers before it run whole). Throws a
 * `ConfigError` listing the names, or saying which container viz cannot open.
 *
 * @example
 * ```ts
 * // model = sequential([sequential([conv1, pool1], { name: 'stem' }), conv2, …])
 * layerPath(model, 'pool1').map((l) => l.name); // ['conv1', 'pool1']
 * layerPath(model, 'conv2').map((l) => l.name); // ['stem', 'conv2']
 * layerPath(googlenet, 'inception3a/3x3').map((l) => l.name);
 * // [..., 'inception3a/3x3_reduce', 'inception3a/3x3']: the branch sees the module's input
 * ```
 */
export function layerPath(model: Layer, name: string, op = 'layerPath'): Layer[] {
  const found = search(model, name);
  if (found) return found;
  const visit = findVisit(model, name, op);
  let closed = visit.parent;
  for (let v = visit.parent; v; v = v.parent) if (WIRING[v.layer.type] === undefined) closed = v;
  throw new ConfigError(
    op,
    `${name} sits inside ${closed?.layer.name} (${closed?.layer.type}), a container whose wiring viz does not know, so no chain of layers leads to it: activationAt and fieldAt reach it through the whole model`,
  );
}

/** The walk's visit of the layer called `name`, or a `ConfigError` listing the names. */
function findVisit(model: Layer, name: string, op: string) {
  const visits = walkLayers(model);
  const visit = visits.find((v) => v.layer.name === name);
  if (!visit) {
    throw new ConfigError(
      op,
      `no layer named ${JSON.stringify(name)} in ${model.name}: the layers are ${visits.map((v) => v.layer.name).join(', ')}`,
    );
  }
  return visit;
}

function search(layer: Layer, name: string): Layer[] | undefined {
  if (layer.name === name) return [layer];
  const wiring = WIRING[layer.type];
  if (!wiring) return undefined;
  const before: Layer[] = [];
  for (const child of layer.children) {
    const inner = search(child, name);
    if (inner) return [...before, ...inner];
    if (wiring === 'chain') before.push(child);
  }
  return undefined;
}

/**
 * The output of the named layer for a batch (NHWC), in inference mode
 * unless `training`. The caller owns (and disposes) the result. A layer on
 * a chain (`layerPath`) is reached by running that chain only; one inside a
 * downstream container is captured while the whole model runs.
 *
 * @example
 * ```ts
 * const maps = activationAt(model, x, 'conv1'); // [batch, 28, 28, 6]
 * ```
 */
export function activationAt(model: Layer, x: tf.Tensor, name: string, training = false): tf.Tensor {
  const path = search(model, name);
  if (!path) return capturedOutput(model, findVisit(model, name, 'activationAt').layer, x, training);
  let h = x;
  for (const layer of path) {
    const next = layer.apply(h, { training });
    if (h !== x) h.dispose();
    h = next;
  }
  return h === x ? h.clone() : h;
}

/**
 * The output of `target` while the whole model (auxiliary heads included)
 * runs: for a layer inside a container whose wiring is its own, the model is
 * the only one that knows what the layer sees. Its `apply` is wrapped for
 * the run, and the kept copy of its output survives the containers' tidies.
 */
function capturedOutput(model: Layer, target: Layer, x: tf.Tensor, training: boolean): tf.Tensor {
  let seen: tf.Tensor | undefined;
  const own = Object.hasOwn(target, 'apply');
  const apply = target.apply;
  target.apply = (input, options) => {
    const y = apply.call(target, input, options);
    seen?.dispose();
    seen = tf.keep(y.clone());
    return y;
  };
  try {
    const { output, auxiliary } = applyWithAuxiliary(model, x, { training });
    tf.dispose([output, ...auxiliary]);
  } finally {
    if (own) target.apply = apply;
    else Reflect.deleteProperty(target, 'apply');
  }
  if (!seen) throw new ConfigError('activationAt', `${target.name} did not run when ${model.name} ran`);
  return seen;
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
  const path = search(model, name);
  if (!path) return tracedRow(model, input, findVisit(model, name, 'fieldAt').layer.name);
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

/** A layer inside a container of its own wiring: its row in the whole model's trace, found by name. */
function tracedRow(
  model: Layer,
  input: Shape,
  name: string,
): { outputShape: number[]; receptiveField?: ReceptiveField2d } {
  const rows: TraceRow[] = [];
  const stack = [...trace(input, model.specs(input)).rows].reverse();
  for (let r = stack.pop(); r; r = stack.pop()) {
    rows.push(r);
    stack.push(...(r.branches?.flat() ?? []).reverse());
  }
  const row = rows.find((r) => r.name === name);
  if (!row) {
    throw new ConfigError(
      'fieldAt',
      `${name} has no row of its own in ${model.name}'s trace (its container declares its specs): the rows are ${rows.map((r) => r.name).join(', ')}`,
    );
  }
  return row.receptiveField
    ? { outputShape: row.outputShape, receptiveField: row.receptiveField }
    : { outputShape: row.outputShape };
}

/**
 * The HWIO kernel of a convolution inside a model, by layer name (its
 * `<name>/kernel` weight).
 *
 * @example
 * ```ts
 * await filterGrid(layerKernel(model, 'conv1'));
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
