import { UnsupportedError } from '../errors.js';
import { denseToTorch, hwioToOihw } from '../layout.js';
import { type FlattenSource, type LayerLike, ownWeights } from '../model.js';
import { onnxPads, placeLayerWindow } from '../window.js';
import type { Attribute } from './builders.js';
import { compositeActivationNode } from './export-activations.js';
import type { OnnxGraphWriter as Graph, Value } from './export-graph.js';

// The nodes of one layer each: exportOnnx's walk calls them and chains their outputs.

/** The graph plus the layer's weights as read before the walk (the export context's `values`). */
type WeightGraph = Graph & { values(short: string): Float32Array };

/** SELU's constants as tfjs-core uses them (ONNX's defaults are their float32 roundings). */
const SELU = { alpha: 1.6732632423543772, gamma: 1.0507009873554805 };

/** A weight of the layer by short name (`kernel`), or an error saying to build the model first. */
export function layerWeight(layer: LayerLike, short: string) {
  const v = ownWeights(layer).get(short);
  if (!v)
    throw new UnsupportedError(
      `${layer.name} (${layer.type})`,
      `has no weight ${JSON.stringify(short)}: build the model before exporting it`,
    );
  return v;
}

/** A Conv node, its kernel written OIHW (masked by a connection table, if any). */
export function convNode(g: WeightGraph, layer: LayerLike, x: Value): string {
  const c = layer.config as Record<string, unknown>;
  const kernel = layerWeight(layer, 'kernel');
  const [kh = 0, kw = 0, depth = 0, filters = 0] = kernel.shape;
  let values = g.values('kernel');
  const connections = c.connections as number[][] | undefined;
  if (connections) values = masked(values, connections, depth, filters);
  const { stride, dilation, padding } = placeLayerWindow(layer.name, x.shape, c);
  const inputs = [x.name, g.floats(`${layer.name}/kernel`, [filters, depth, kh, kw], hwioToOihw(values, kernel.shape))];
  if (c.bias ?? true) inputs.push(g.floats(`${layer.name}/bias`, [filters], g.values('bias')));
  return g.add('Conv', inputs, layer.name, [
    { name: 'kernel_shape', ints: [kh, kw] },
    { name: 'strides', ints: stride },
    { name: 'pads', ints: onnxPads({ padding }) },
    { name: 'dilations', ints: dilation },
    { name: 'group', int: (c.groups as number | undefined) ?? 1 },
  ]);
}

/** A Gemm node with `[out, in]` weights, rows reordered by `map` when a Flatten of a map feeds it. */
export function gemmNode(g: WeightGraph, layer: LayerLike, x: Value, map: FlattenSource['map'] | undefined): string {
  const kernel = layerWeight(layer, 'kernel');
  const [inputs = 0, units = 0] = kernel.shape;
  const weights = denseToTorch(g.values('kernel'), kernel.shape, map);
  const names = [x.name, g.floats(`${layer.name}/kernel`, [units, inputs], weights)];
  if ((layer.config as { bias?: boolean }).bias ?? true) {
    names.push(g.floats(`${layer.name}/bias`, [units], g.values('bias')));
  }
  return g.add('Gemm', names, layer.name, [{ name: 'transB', int: 1 }]);
}

/** A MaxPool or AveragePool node. */
export function poolNode(g: Graph, layer: LayerLike, x: Value): string {
  const c = layer.config as Record<string, unknown>;
  const window = placeLayerWindow(layer.name, x.shape, { ...c, dilation: 1 }, 'pool');
  const attributes: Attribute[] = [
    { name: 'kernel_shape', ints: window.kernel },
    { name: 'strides', ints: window.stride },
    { name: 'pads', ints: onnxPads(window) },
    { name: 'ceil_mode', int: c.ceilMode ? 1 : 0 },
  ];
  if (layer.type === 'maxPool2d') return g.add('MaxPool', [x.name], layer.name, attributes);
  attributes.push({ name: 'count_include_pad', int: c.countIncludePad ? 1 : 0 });
  return g.add('AveragePool', [x.name], layer.name, attributes);
}

/** A BatchNormalization node (gamma 1 and beta 0 where the layer has none). */
export function batchNormNode(g: WeightGraph, layer: LayerLike, x: Value): string {
  const c = layer.config as Record<string, unknown>;
  const mean = layerWeight(layer, 'movingMean');
  const channels = mean.shape[0] ?? 0;
  const own = ownWeights(layer);
  const param = (short: string, fill: number) => {
    const values = own.has(short) ? g.values(short) : new Float32Array(channels).fill(fill);
    return g.floats(`${layer.name}/${short}`, [channels], values);
  };
  const inputs = [
    x.name,
    param('gamma', 1),
    param('beta', 0),
    g.floats(`${layer.name}/movingMean`, [channels], g.values('movingMean')),
    g.floats(`${layer.name}/movingVariance`, [channels], g.values('movingVariance')),
  ];
  return g.add('BatchNormalization', inputs, layer.name, [
    { name: 'epsilon', float: (c.epsilon as number | undefined) ?? 1e-5 },
    { name: 'momentum', float: (c.momentum as number | undefined) ?? 0.9 },
  ]);
}

/** A map flattens in NCHW order; unless a dense layer with reordered rows reads it, go back to NHWC first. */
export function flattenNode(g: Graph, layer: LayerLike, x: Value, beforeDense: boolean): string {
  if (x.shape.length !== 3) return x.name;
  let source = x.name;
  if (!beforeDense) {
    source = g.add('Transpose', [x.name], `${layer.name}/nhwc`, [{ name: 'perm', ints: [0, 2, 3, 1] }]);
  }
  return g.add('Flatten', [source], layer.name, [{ name: 'axis', int: 1 }]);
}

/** A named activation after `x`; `linear` (or none) writes nothing. */
export function activationNode(
  g: Graph,
  layer: LayerLike,
  x: string,
  fn: unknown,
  alpha: unknown,
  name = `${layer.name}/${String(fn)}`,
): string {
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
      return compositeActivationNode(g, layer, x, fn, name);
  }
}

/** GlobalMaxPool or GlobalAveragePool, then a Flatten to `[batch, channels]` as convkit gives it. */
export function globalPoolNode(g: Graph, layer: LayerLike, x: Value): string {
  const op = (layer.config as { mode?: unknown }).mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  const pooled = g.add(op, [x.name], `${layer.name}/pool`);
  return g.add('Flatten', [pooled], layer.name, [{ name: 'axis', int: 1 }]);
}

/** An LRN node with convkit's defaults (its `k` is ONNX's `bias`). */
export function lrnNode(g: Graph, layer: LayerLike, x: Value): string {
  const c = layer.config as Record<string, unknown>;
  return g.add('LRN', [x.name], layer.name, [
    { name: 'size', int: (c.size as number | undefined) ?? 5 },
    { name: 'alpha', float: (c.alpha as number | undefined) ?? 1e-4 },
    { name: 'beta', float: (c.beta as number | undefined) ?? 0.75 },
    { name: 'bias', float: (c.k as number | undefined) ?? 2 },
  ]);
}

/** A Pad node; its pads are an int64 initializer, as opset 11 and later take them. */
export function padNode(g: Graph, layer: LayerLike, x: Value): string {
  const padding = (layer.config as { padding?: unknown }).padding;
  const [top, left, bottom, right] = onnxPads(placeLayerWindow(layer.name, x.shape, { kernel: 1, padding }));
  const pads = g.int64s(`${layer.name}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
  return g.add('Pad', [x.name, pads], layer.name);
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
