import { FormatError, UnsupportedError } from '../errors.js';
import { assignWeights, type LayerLike } from '../model.js';
import { decodeOnnx } from './decode.js';
import { ImportContext, type ImportedWeight, type LayerJSON } from './import-context.js';
import { dataFlow, startFlow } from './import-flow.js';
import { walk } from './import-walk.js';
import { Statics } from './statics.js';

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

/**
 * Reads an ONNX CNN graph as a convkit architecture plus weights, without
 * building anything (browser-safe, no tensors): OIHW kernels become HWIO,
 * Gemm weights `[in, out]` with rows reordered where ONNX flattened
 * (c, h, w), branches that fork from one value and meet in a Concat become
 * a convkit Concat, and in a Sum, Add or Mul of data an `add` or `multiply`
 * (ResNet's residuals; a value the join reads itself is an empty branch);
 * ShuffleNet's Reshape → Transpose → Reshape is a `channelShuffle`.
 * Malformed bytes throw `FormatError`; an op or layout
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
