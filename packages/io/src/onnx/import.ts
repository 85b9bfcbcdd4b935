import { FormatError, UnsupportedError } from '../errors.js';
import { assignWeights, type LayerLike } from '../model.js';
import { Attributes } from './attributes.js';
import { decodeOnnx, type OnnxNode } from './decode.js';
import { type Flow, ImportContext, type ImportedWeight, type LayerJSON } from './import-context.js';
import { convertNode } from './import-ops.js';
import { describeNode, Statics } from './statics.js';

/** Options of {@link convertOnnx} and {@link importOnnx}. */
export interface OnnxImportOptions {
  /** The file's name, for error messages. */
  file?: string;
  /** One example's `[height, width, channels]`, needed when the graph's input has symbolic dims. */
  input?: readonly number[];
  /** The most nodes the graph may have, and the most of each other kind of field. Default 50,000 (`MAX_ONNX_NODES`). */
  maxNodes?: number;
  /** The most weight elements to accept (a `ConstantOfShape` can ask for billions in a few bytes). Default 2^28 (1 GiB of float32). */
  maxWeightElements?: number;
}

/** A graph as convkit sees it: the architecture, the input it takes, and its weights under convkit names. */
export interface ConvertedOnnx {
  /** `{ type: 'sequential', config: { name, layers } }`, for `fromJSON` of `@convkit/layers`. */
  architecture: LayerJSON;
  /** One example's shape in convkit's layout: `[h, w, c]` (or `[features]`). */
  input: number[];
  /** The ONNX graph's own input layout: NCHW, or NHWC when it starts with a Transpose to NCHW (as exportOnnx writes). */
  inputLayout: 'NCHW' | 'NHWC';
  inputName: string;
  outputName: string;
  /** The default domain's opset. */
  opset: number;
  /** By full convkit name (`<layer>/kernel`, …), in convkit's layouts; values are read when the model is built. */
  weights: Map<string, ImportedWeight>;
}

/** Branches nest deeper, or fork wider, than this only in a hostile file. */
const MAX_DEPTH = 64;
const MAX_BRANCHES = 1024;

/**
 * Reads an ONNX CNN graph as a convkit architecture plus weights, without
 * building anything (browser-safe, no tensors): OIHW kernels become HWIO,
 * Gemm weights `[in, out]` with rows reordered where ONNX flattened
 * (c, h, w), branches that fork from one value and meet in a Concat become
 * a convkit Concat. Malformed bytes throw `FormatError`; an op or layout
 * convkit has no layer for throws `UnsupportedError` naming the node and op.
 *
 * @example
 * ```ts
 * const { architecture, input, weights } = convertOnnx(bytes, { file: 'squeezenet.onnx' });
 * ```
 */
export function convertOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): ConvertedOnnx {
  const file = options.file ?? '<onnx>';
  const model = decodeOnnx(bytes, file, options.maxNodes === undefined ? {} : { maxNodes: options.maxNodes });
  const opset = model.opsets.get('') ?? model.opsets.get('ai.onnx');
  if (opset === undefined) throw new FormatError(file, 0, 'the model imports no opset of the default ONNX domain');
  if (opset < 6)
    throw new UnsupportedError(
      `graph ${JSON.stringify(model.graph.name)}`,
      `opset ${opset}: convkit reads opset 6 and later`,
    );
  const { graph } = model;
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const subject = `graph ${JSON.stringify(graph.name)}`;
  const [input] = inputs;
  if (!input || inputs.length > 1) {
    throw new UnsupportedError(
      subject,
      `has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); a convkit model takes one`,
    );
  }
  const [output] = graph.outputs;
  if (!output || graph.outputs.length > 1) {
    throw new UnsupportedError(
      subject,
      `has ${graph.outputs.length} outputs (${graph.outputs.map((o) => o.name).join(', ')}); a convkit model gives one`,
    );
  }
  const { usersOf, data } = dataFlow(file, graph.nodes, [...graph.initializers.keys()], input.name, output.name);
  const statics = new Statics(model, (v) => data.has(v));
  const ctx = new ImportContext(
    file,
    opset,
    statics,
    usersOf,
    new Set([output.name]),
    options.maxWeightElements ?? 2 ** 28,
  );
  const start = startFlow(ctx, input, options.input);
  const { layers, flow } = walk(ctx, start.flow, false, 0);
  if (flow.value !== output.name) {
    throw new UnsupportedError(
      subject,
      `the layers from ${JSON.stringify(input.name)} end at ${JSON.stringify(flow.value)}, not at the output ${JSON.stringify(output.name)}`,
    );
  }
  if (flow.order) {
    throw new UnsupportedError(
      subject,
      `ends in a flattened ${flow.order.join('×')} map: ONNX flattens (c, h, w), convkit (h, w, c)`,
    );
  }
  return {
    architecture: { type: 'sequential', config: { name: graph.name || 'onnx', layers } },
    input: start.shape,
    inputLayout: start.layout,
    inputName: input.name,
    outputName: output.name,
    opset,
    weights: ctx.weights,
  };
}

/**
 * An ONNX CNN graph as a built convkit model with its weights: `convertOnnx`,
 * then `fromJSON` (pass `@convkit/layers`' own; io does not import layer
 * code), `build` and the weights. The model takes NHWC input of `input`'s
 * shape whatever the graph's layout (transpose NCHW data with
 * `tf.transpose(x, [0, 2, 3, 1])`).
 *
 * @example
 * ```ts
 * import { fromJSON } from '@convkit/layers';
 * const { model, input } = importOnnx(bytes, { fromJSON, file: 'alexnet.onnx' });
 * const logits = model.apply(tf.zeros([1, ...input]));
 * ```
 */
export function importOnnx<L extends LayerLike & { build(input: readonly number[]): unknown }>(
  bytes: Uint8Array,
  options: OnnxImportOptions & { fromJSON: (json: LayerJSON) => L },
): ConvertedOnnx & { model: L } {
  const converted = convertOnnx(bytes, options);
  let model: L;
  try {
    model = options.fromJSON(converted.architecture);
    model.build(converted.input);
  } catch (error) {
    throw new FormatError(
      options.file ?? '<onnx>',
      0,
      `its layers do not build in convkit: ${(error as Error).message}`,
    );
  }
  // One weight at a time: a large model never holds all its values twice.
  for (const [name, weight] of converted.weights)
    assignWeights(model, { [name]: { data: weight.read(), shape: weight.shape } });
  return { ...converted, model };
}

/**
 * Checks that the nodes are in topological order with one producer per
 * value (so the walk ends), and finds which values carry data (depend on
 * the input) and which nodes read each of them.
 */
function dataFlow(
  file: string,
  nodes: readonly OnnxNode[],
  initializers: readonly string[],
  input: string,
  output: string,
) {
  const produced = new Set([...initializers, input]);
  const data = new Set([input]);
  const usersOf = new Map<string, OnnxNode[]>();
  for (const node of nodes) {
    for (const i of node.inputs) {
      if (i && !produced.has(i)) {
        throw new FormatError(
          file,
          node.offset,
          `${describeNode(node)} reads ${JSON.stringify(i)}, which no earlier node, initializer or input produces`,
        );
      }
    }
    if (node.inputs.some((i) => data.has(i))) {
      for (const i of new Set(node.inputs)) {
        if (!data.has(i)) continue;
        const users = usersOf.get(i);
        if (users) users.push(node);
        else usersOf.set(i, [node]);
      }
      for (const o of node.outputs) if (o) data.add(o);
    }
    for (const o of node.outputs) {
      if (!o) continue;
      if (produced.has(o))
        throw new FormatError(
          file,
          node.offset,
          `${describeNode(node)} writes ${JSON.stringify(o)}, which is already defined`,
        );
      produced.add(o);
    }
  }
  if (!data.has(output))
    throw new FormatError(file, 0, `the output ${JSON.stringify(output)} does not depend on the input`);
  return { usersOf, data };
}

/** The input's shape in convkit's layout, and where the walk starts (after a Transpose to NCHW, if the graph has one). */
function startFlow(
  ctx: ImportContext,
  input: { name: string; dims: (number | undefined)[] },
  given?: readonly number[],
) {
  const subject = `input ${JSON.stringify(input.name)}`;
  const dims = input.dims.slice(1);
  const [first] = ctx.users(input.name);
  const transposed =
    dims.length === 3 &&
    ctx.soleUser(input.name) === first &&
    first?.op === 'Transpose' &&
    new Attributes(first, ctx.file).ints('perm', undefined, 4)?.join(',') === '0,3,1,2';
  const layout: 'NCHW' | 'NHWC' = transposed ? 'NHWC' : 'NCHW';
  let shape: (number | undefined)[];
  if (dims.length === 3) shape = transposed ? dims : [dims[1], dims[2], dims[0]];
  else if (dims.length === 1) shape = dims;
  else
    throw new UnsupportedError(
      subject,
      `has dims [${input.dims.map((d) => d ?? '?').join(', ')}]; convkit reads [N, C, H, W], [N, H, W, C] or [N, features]`,
    );
  if (given) {
    if (given.length !== shape.length || given.some((d, k) => shape[k] !== undefined && shape[k] !== d)) {
      throw new UnsupportedError(
        subject,
        `has dims [${input.dims.map((d) => d ?? '?').join(', ')}], which do not fit the given input [${given.join(', ')}]`,
      );
    }
    shape = [...given];
  }
  if (!shape.every((d) => d !== undefined && Number.isSafeInteger(d) && d > 0)) {
    throw new UnsupportedError(
      subject,
      `has dims [${input.dims.map((d) => d ?? '?').join(', ')}]: pass { input: [height, width, channels] } for symbolic ones`,
    );
  }
  const flow: Flow = { value: transposed && first ? (first.outputs[0] ?? '') : input.name, shape: shape as number[] };
  return { flow, shape: shape as number[], layout };
}

interface Walked {
  layers: LayerJSON[];
  flow: Flow;
  /** In a branch: the Concat it ended at. */
  join?: OnnxNode;
}

/** Converts the chain of nodes from `flow` until the output, a dead end, or (in a branch) a Concat. */
function walk(ctx: ImportContext, start: Flow, inBranch: boolean, depth: number): Walked {
  if (depth > MAX_DEPTH)
    throw new UnsupportedError(`value ${JSON.stringify(start.value)}`, `branches nest more than ${MAX_DEPTH} deep`);
  const layers: LayerJSON[] = [];
  let flow = start;
  for (;;) {
    const users = ctx.users(flow.value);
    if (users.length === 0) return { layers, flow };
    const [only] = users;
    if (users.length === 1 && only && !ctx.isOutput(flow.value)) {
      if (only.op === 'Concat' && inBranch) return { layers, flow, join: only };
      if (only.op !== 'Concat') {
        const step = convertNode(ctx, only, flow);
        layers.push(...step.layers);
        flow = step.flow;
        continue;
      }
    }
    if (ctx.isOutput(flow.value)) {
      throw new UnsupportedError(
        `value ${JSON.stringify(flow.value)}`,
        'is the graph output and also read by other nodes',
      );
    }
    const joined = fork(ctx, flow, users, depth);
    layers.push(joined.layer);
    flow = joined.flow;
  }
}

/** Branches from one value that meet in one Concat: a convkit Concat of sequentials. */
function fork(
  ctx: ImportContext,
  flow: Flow,
  users: readonly OnnxNode[],
  depth: number,
): { layer: LayerJSON; flow: Flow } {
  if (users.length > MAX_BRANCHES) {
    throw new UnsupportedError(
      `value ${JSON.stringify(flow.value)}`,
      `is read by ${users.length} nodes; convkit joins at most ${MAX_BRANCHES} branches`,
    );
  }
  const branches: Walked[] = [];
  let join: OnnxNode | undefined;
  const meet = (node: OnnxNode) => {
    if (join && join !== node) {
      throw new UnsupportedError(
        `value ${JSON.stringify(flow.value)}`,
        `forks into branches that end in different nodes (${describeNode(join)}, ${describeNode(node)}); convkit joins branches in one Concat`,
      );
    }
    join = node;
  };
  for (const user of users) {
    if (user.op === 'Concat') {
      // The value itself is one of the joined ones (DenseNet): an empty branch.
      for (const i of user.inputs) if (i === flow.value) branches.push({ layers: [], flow });
      meet(user);
      continue;
    }
    const first = convertNode(ctx, user, flow);
    const rest = walk(ctx, first.flow, true, depth + 1);
    if (!rest.join) {
      throw new UnsupportedError(
        describeNode(user),
        `starts a branch from ${JSON.stringify(flow.value)} that ends at ${JSON.stringify(rest.flow.value)} without a Concat`,
      );
    }
    meet(rest.join);
    branches.push({ layers: [...first.layers, ...rest.layers], flow: rest.flow });
  }
  if (!join) throw new UnsupportedError(`value ${JSON.stringify(flow.value)}`, 'forks without joining');
  return concat(ctx, join, branches);
}

function concat(ctx: ImportContext, join: OnnxNode, branches: Walked[]): { layer: LayerJSON; flow: Flow } {
  const unsupported = (problem: string) => new UnsupportedError(describeNode(join), problem);
  ctx.checkExtraOutputs(join);
  const inputs = join.inputs;
  const left = [...branches];
  const ordered = inputs.map((value) => {
    const k = left.findIndex((b) => b.flow.value === value);
    if (k < 0)
      throw unsupported(`joins ${JSON.stringify(value)}, which does not come from the branches that fork before it`);
    return left.splice(k, 1)[0] as Walked;
  });
  if (left.length > 0 || ordered.length < 1)
    throw unsupported(`joins ${inputs.length} values, ${branches.length} branches lead to it`);
  const shapes = ordered.map((b) => b.flow.shape);
  const [first = []] = shapes;
  const rank = first.length + 1;
  const axis = new Attributes(join, ctx.file).int('axis', 1);
  const channelAxis = (axis < 0 ? axis + rank : axis) === 1;
  const alike = shapes.every((s) => s.length === first.length && s.slice(0, -1).join() === first.slice(0, -1).join());
  if (!channelAxis || !alike || ordered.some((b) => b.flow.order || b.flow.nhwc)) {
    throw unsupported(
      `axis ${axis} on [${shapes.map((s) => `[N, ${s.join(', ')}]`).join(', ')}]: convkit concatenates channels of maps of one size`,
    );
  }
  const name = ctx.layerName(join);
  const layer: LayerJSON = {
    type: 'concat',
    config: {
      name,
      branches: ordered.map((b, k) => ({
        type: 'sequential',
        config: { name: ctx.containerName(`${name}/branch${k + 1}`), layers: b.layers },
      })),
    },
  };
  const channels = shapes.reduce((sum, s) => sum + (s.at(-1) ?? 0), 0);
  return { layer, flow: { value: join.outputs[0] ?? '', shape: [...first.slice(0, -1), channels] } };
}
