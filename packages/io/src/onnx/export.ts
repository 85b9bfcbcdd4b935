import { UnsupportedError } from '../errors.js';
import { flattenedDenses, type LayerLike, readWeights } from '../model.js';
import { type Attribute, modelProto, node, valueInfo } from './builders.js';
import { Graph, type Value } from './export-graph.js';
import { emitLayer } from './export-registry.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** The input of one example, as the model was built: `[height, width, channels]` (NHWC) or `[features]`. */
  input: readonly number[];
  /** Default-domain opset, 13 … 21. Default 13. */
  opset?: number;
  /** A fixed batch size. Default: a symbolic `batch` dimension. */
  batch?: number;
  /** The graph's name. Default: the model's. */
  name?: string;
}

/** The layer types convkit itself writes to ONNX; `onnxExportTypes()` adds those registered with `registerOnnxExport`. */
export const ONNX_EXPORT_LAYERS = [
  'activation',
  'add',
  'auxiliaryHead',
  'avgPool2d',
  'batchNorm',
  'channelShuffle',
  'channelSlice',
  'concat',
  'conv2d',
  'dense',
  'dropout',
  'flatten',
  'globalPool2d',
  'lrn',
  'maxPool2d',
  'multiply',
  'sequential',
  'shortcut',
  'zeroPadding2d',
] as const;

/**
 * An ONNX model (graph and weights) of a built convkit model, for ONNX
 * Runtime, TensorRT and friends. The graph takes convkit's NHWC input
 * (`input`: `[batch, h, w, c]`), transposes it to NCHW once, and gives
 * convkit's output (`output`: logits `[batch, classes]`, or an NHWC map).
 * Kernels are written OIHW and dense weights `[out, in]` (Gemm, transB 1),
 * as PyTorch exports them; a dense layer after a Flatten gets its rows in
 * (c, h, w) order, so no transpose is needed before it. Dropout is the
 * identity and auxiliary heads are left out, as in inference. Every layer
 * is written by the exporter registered for its type (`registerOnnxExport`,
 * convkit's own included); a layer with none throws `UnsupportedError`
 * naming it and saying how to register one. Every weight is read once with
 * `await data()` before the graph is written (no synchronous read, so it
 * runs on WebGPU without stalling a page); hence the Promise.
 *
 * @example
 * ```ts
 * const model = getModel('lenet5-modern').build([28, 28, 1]);
 * const bytes = await exportOnnx(model, { input: [28, 28, 1] });
 * const session = await ort.InferenceSession.create(bytes); // feeds: { input: NHWC float32 }
 * ```
 */
export async function exportOnnx(model: LayerLike, options: ExportOnnxOptions): Promise<Uint8Array> {
  const opset = options.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 13 || opset > 21) {
    throw new UnsupportedError('exportOnnx', `opset ${opset} is not written: use an opset from 13 to 21`);
  }
  const input = [...options.input];
  if (!(input.length === 3 || input.length === 1) || !input.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(
      `exportOnnx: input must be [height, width, channels] or [features], received [${input.join(', ')}]`,
    );
  }
  const weights = await readWeights(model);
  const graph = new Graph();
  const batch: number | string = options.batch ?? 'batch';
  const inputName = graph.unique('input');
  graph.unique('output');
  const dense = flattenedDenses(model, input);
  const flattens = new Set([...dense.values()].map((s) => s.flatten));
  let x: Value = { name: inputName, shape: input };
  if (input.length === 3)
    x = { ...x, name: graph.add('Transpose', [inputName], 'input/nchw', [{ name: 'perm', ints: [0, 3, 1, 2] }]) };
  const walk = {
    graph,
    opset,
    weights,
    flattenedFrom: (layer: LayerLike) => dense.get(layer)?.map,
    feedsDense: (layer: LayerLike) => flattens.has(layer),
  };
  const y = emitLayer(walk, model, x);
  const last = y.shape.length === 3 ? 'Transpose' : 'Identity';
  const attributes: Attribute[] = last === 'Transpose' ? [{ name: 'perm', ints: [0, 2, 3, 1] }] : [];
  graph.nodes.push(node(last, [y.name], ['output'], 'output', attributes));
  return modelProto(
    {
      name: options.name ?? model.name,
      nodes: graph.nodes,
      initializers: graph.initializers,
      inputs: [valueInfo(inputName, [batch, ...input])],
      outputs: [valueInfo('output', [batch, ...y.shape])],
    },
    { opset, domains: Object.fromEntries(graph.domains) },
  );
}
