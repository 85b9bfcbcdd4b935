import { UnsupportedError } from '../errors.js';
import { denseToTorch, hwioToOihw } from '../layout.js';
import { childrenOf, type FlattenSource, flattenedDenses, type LayerLike, ownWeights, valuesOf } from '../model.js';
import type { ProtoMessage } from '../proto/writer.js';
import { onnxPads, placeLayerWindow } from '../window.js';
import { type Attribute, int64TensorProto, modelProto, node, tensorProto, valueInfo } from './builders.js';

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

/** The layer types {@link exportOnnx} writes. */
export const ONNX_EXPORT_LAYERS = [
  'activation',
  'auxiliaryHead',
  'avgPool2d',
  'batchNorm',
  'concat',
  'conv2d',
  'dense',
  'dropout',
  'flatten',
  'globalPool2d',
  'lrn',
  'maxPool2d',
  'sequential',
  'zeroPadding2d',
] as const;

/** SELU's constants as tfjs-core uses them (ONNX's defaults are their float32 roundings). */
const SELU = { alpha: 1.6732632423543772, gamma: 1.0507009873554805 };

interface Value {
  name: string;
  /** Per-example shape in convkit's layout: `[h, w, c]` or `[features]`. */
  shape: number[];
}

/** Nodes and initializers under construction, with unique value names. */
class Graph {
  readonly nodes: ProtoMessage[] = [];
  readonly initializers: ProtoMessage[] = [];
  private readonly used = new Set<string>();

  unique(name: string): string {
    let candidate = name;
    for (let k = 1; this.used.has(candidate); k++) candidate = `${name}_${k}`;
    this.used.add(candidate);
    return candidate;
  }

  add(op: string, inputs: readonly string[], name: string, attributes: Attribute[] = []): string {
    const output = this.unique(name);
    this.nodes.push(node(op, inputs, [output], output, attributes));
    return output;
  }

  floats(name: string, dims: readonly number[], values: Float32Array): string {
    const unique = this.unique(name);
    this.initializers.push(tensorProto(unique, dims, values));
    return unique;
  }

  int64s(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push(int64TensorProto(unique, [values.length], values));
    return unique;
  }
}

/**
 * An ONNX model (graph and weights) of a built convkit model, for ONNX
 * Runtime, TensorRT and friends. The graph takes convkit's NHWC input
 * (`input`: `[batch, h, w, c]`), transposes it to NCHW once, and gives
 * convkit's output (`output`: logits `[batch, classes]`, or an NHWC map).
 * Kernels are written OIHW and dense weights `[out, in]` (Gemm, transB 1),
 * as PyTorch exports them; a dense layer after a Flatten gets its rows in
 * (c, h, w) order, so no transpose is needed before it. Dropout is the
 * identity and auxiliary heads are left out, as in inference. A layer with
 * no ONNX counterpart throws `UnsupportedError` naming it.
 *
 * @example
 * ```ts
 * const model = getModel('lenet5-modern').build([28, 28, 1]);
 * const bytes = exportOnnx(model, { input: [28, 28, 1] });
 * const session = await ort.InferenceSession.create(bytes); // feeds: { input: NHWC float32 }
 * ```
 */
export function exportOnnx(model: LayerLike, options: ExportOnnxOptions): Uint8Array {
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
  const graph = new Graph();
  const batch: number | string = options.batch ?? 'batch';
  const inputName = graph.unique('input');
  graph.unique('output');
  const dense = flattenedDenses(model, input);
  const exporter = new Exporter(graph, dense);
  let x: Value = { name: inputName, shape: input };
  if (input.length === 3)
    x = { ...x, name: graph.add('Transpose', [inputName], 'input/nchw', [{ name: 'perm', ints: [0, 3, 1, 2] }]) };
  const y = exporter.emit(model, x);
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
    { opset },
  );
}

/** Writes one layer (recursively for containers) and returns the value it produces. */
class Exporter {
  private readonly flattensBeforeDense: Set<LayerLike>;

  constructor(
    private readonly graph: Graph,
    private readonly dense: Map<LayerLike, FlattenSource>,
  ) {
    this.flattensBeforeDense = new Set([...dense.values()].map((s) => s.flatten));
  }

  emit(layer: LayerLike, x: Value): Value {
    const c = layer.config as Record<string, unknown>;
    const g = this.graph;
    const out = (name: string): Value => ({ name, shape: layer.outputShape(x.shape) });
    switch (layer.type) {
      case 'sequential':
        return childrenOf(layer).reduce((value, child) => this.emit(child, value), x);
      case 'concat': {
        const branches = childrenOf(layer).map((branch) => this.emit(branch, x).name);
        return out(g.add('Concat', branches, layer.name, [{ name: 'axis', int: 1 }]));
      }
      case 'auxiliaryHead':
      case 'dropout':
        return x;
      case 'conv2d':
        return out(this.activation(layer, this.conv(layer, x), c.activation, c.alpha));
      case 'dense':
        return out(this.activation(layer, this.gemm(layer, x), c.activation, c.alpha));
      case 'activation':
        return out(this.activation(layer, x.name, c.fn, c.alpha, layer.name));
      case 'maxPool2d':
      case 'avgPool2d':
        return out(this.pool(layer, x));
      case 'globalPool2d': {
        const op = c.mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool';
        const pooled = g.add(op, [x.name], `${layer.name}/pool`);
        return out(g.add('Flatten', [pooled], layer.name, [{ name: 'axis', int: 1 }]));
      }
      case 'lrn':
        return out(
          g.add('LRN', [x.name], layer.name, [
            { name: 'size', int: (c.size as number | undefined) ?? 5 },
            { name: 'alpha', float: (c.alpha as number | undefined) ?? 1e-4 },
            { name: 'beta', float: (c.beta as number | undefined) ?? 0.75 },
            { name: 'bias', float: (c.k as number | undefined) ?? 2 },
          ]),
        );
      case 'batchNorm':
        return out(this.batchNorm(layer, x));
      case 'flatten':
        return out(this.flatten(layer, x));
      case 'zeroPadding2d': {
        const [top, left, bottom, right] = onnxPads(
          placeLayerWindow(layer.name, x.shape, { kernel: 1, padding: c.padding }),
        );
        const pads = g.int64s(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
        return out(g.add('Pad', [x.name, pads], layer.name));
      }
      default:
        throw new UnsupportedError(
          `${layer.name} (${layer.type})`,
          `ONNX export has no counterpart for this layer type; it writes ${ONNX_EXPORT_LAYERS.join(', ')}`,
        );
    }
  }

  private weight(layer: LayerLike, short: string) {
    const v = ownWeights(layer).get(short);
    if (!v)
      throw new UnsupportedError(
        `${layer.name} (${layer.type})`,
        `has no weight ${JSON.stringify(short)}: build the model before exporting it`,
      );
    return v;
  }

  private conv(layer: LayerLike, x: Value): string {
    const c = layer.config as Record<string, unknown>;
    const kernel = this.weight(layer, 'kernel');
    const [kh = 0, kw = 0, depth = 0, filters = 0] = kernel.shape;
    let values = valuesOf(kernel);
    const connections = c.connections as number[][] | undefined;
    if (connections) values = masked(values, connections, depth, filters);
    const { stride, dilation, padding } = placeLayerWindow(layer.name, x.shape, c);
    const inputs = [
      x.name,
      this.graph.floats(`${layer.name}/kernel`, [filters, depth, kh, kw], hwioToOihw(values, kernel.shape)),
    ];
    if (c.bias ?? true)
      inputs.push(this.graph.floats(`${layer.name}/bias`, [filters], valuesOf(this.weight(layer, 'bias'))));
    return this.graph.add('Conv', inputs, layer.name, [
      { name: 'kernel_shape', ints: [kh, kw] },
      { name: 'strides', ints: stride },
      { name: 'pads', ints: onnxPads({ padding }) },
      { name: 'dilations', ints: dilation },
      { name: 'group', int: (c.groups as number | undefined) ?? 1 },
    ]);
  }

  private gemm(layer: LayerLike, x: Value): string {
    const kernel = this.weight(layer, 'kernel');
    const [inputs = 0, units = 0] = kernel.shape;
    const weights = denseToTorch(valuesOf(kernel), kernel.shape, this.dense.get(layer)?.map);
    const names = [x.name, this.graph.floats(`${layer.name}/kernel`, [units, inputs], weights)];
    if ((layer.config as { bias?: boolean }).bias ?? true) {
      names.push(this.graph.floats(`${layer.name}/bias`, [units], valuesOf(this.weight(layer, 'bias'))));
    }
    return this.graph.add('Gemm', names, layer.name, [{ name: 'transB', int: 1 }]);
  }

  private pool(layer: LayerLike, x: Value): string {
    const c = layer.config as Record<string, unknown>;
    const window = placeLayerWindow(layer.name, x.shape, { ...c, dilation: 1 }, 'pool');
    const attributes: Attribute[] = [
      { name: 'kernel_shape', ints: window.kernel },
      { name: 'strides', ints: window.stride },
      { name: 'pads', ints: onnxPads(window) },
      { name: 'ceil_mode', int: c.ceilMode ? 1 : 0 },
    ];
    if (layer.type === 'maxPool2d') return this.graph.add('MaxPool', [x.name], layer.name, attributes);
    attributes.push({ name: 'count_include_pad', int: c.countIncludePad ? 1 : 0 });
    return this.graph.add('AveragePool', [x.name], layer.name, attributes);
  }

  private batchNorm(layer: LayerLike, x: Value): string {
    const c = layer.config as Record<string, unknown>;
    const mean = this.weight(layer, 'movingMean');
    const channels = mean.shape[0] ?? 0;
    const own = ownWeights(layer);
    const param = (short: string, fill: number) => {
      const v = own.get(short);
      return this.graph.floats(
        `${layer.name}/${short}`,
        [channels],
        v ? valuesOf(v) : new Float32Array(channels).fill(fill),
      );
    };
    const inputs = [
      x.name,
      param('gamma', 1),
      param('beta', 0),
      this.graph.floats(`${layer.name}/movingMean`, [channels], valuesOf(mean)),
      this.graph.floats(`${layer.name}/movingVariance`, [channels], valuesOf(this.weight(layer, 'movingVariance'))),
    ];
    return this.graph.add('BatchNormalization', inputs, layer.name, [
      { name: 'epsilon', float: (c.epsilon as number | undefined) ?? 1e-5 },
      { name: 'momentum', float: (c.momentum as number | undefined) ?? 0.9 },
    ]);
  }

  /** A map flattens in NCHW order; unless a dense layer with reordered rows reads it, go back to NHWC first. */
  private flatten(layer: LayerLike, x: Value): string {
    if (x.shape.length !== 3) return x.name;
    let source = x.name;
    if (!this.flattensBeforeDense.has(layer)) {
      source = this.graph.add('Transpose', [x.name], `${layer.name}/nhwc`, [{ name: 'perm', ints: [0, 2, 3, 1] }]);
    }
    return this.graph.add('Flatten', [source], layer.name, [{ name: 'axis', int: 1 }]);
  }

  /** A named activation after `x`; `linear` (or none) writes nothing. */
  private activation(
    layer: LayerLike,
    x: string,
    fn: unknown,
    alpha: unknown,
    name = `${layer.name}/${String(fn)}`,
  ): string {
    const g = this.graph;
    switch (fn ?? 'linear') {
      case 'linear':
        return name === layer.name ? g.add('Identity', [x], name) : x;
      case 'relu':
        return g.add('Relu', [x], name);
      case 'relu6': {
        const low = g.floats(`${name}/min`, [], new Float32Array([0]));
        const high = g.floats(`${name}/max`, [], new Float32Array([6]));
        return g.add('Clip', [x, low, high], name);
      }
      case 'leakyRelu':
        return g.add('LeakyRelu', [x], name, [{ name: 'alpha', float: (alpha as number | undefined) ?? 0.01 }]);
      case 'elu':
        return g.add('Elu', [x], name, [{ name: 'alpha', float: 1 }]);
      case 'selu':
        return g.add('Selu', [x], name, [
          { name: 'alpha', float: SELU.alpha },
          { name: 'gamma', float: SELU.gamma },
        ]);
      case 'tanh':
        return g.add('Tanh', [x], name);
      case 'sigmoid':
        return g.add('Sigmoid', [x], name);
      case 'softplus':
        return g.add('Softplus', [x], name);
      case 'softmax':
        return g.add('Softmax', [x], name, [{ name: 'axis', int: 1 }]);
      default:
        throw new UnsupportedError(
          `${layer.name} (${layer.type})`,
          `activation ${JSON.stringify(fn)} has no ONNX counterpart here`,
        );
    }
  }
}

/** The kernel with unconnected entries zeroed, as the layer applies it (LeNet-5's C3 table). */
function masked(
  values: Float32Array,
  connections: readonly (readonly number[])[],
  depth: number,
  filters: number,
): Float32Array {
  const out = new Float32Array(values.length);
  const positions = values.length / (depth * filters);
  connections.forEach((inputs, f) => {
    for (const channel of inputs) {
      for (let p = 0; p < positions; p++) {
        const k = (p * depth + channel) * filters + f;
        out[k] = values[k] as number;
      }
    }
  });
  return out;
}
