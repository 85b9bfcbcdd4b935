import { UnsupportedError } from '../errors.js';
import { denseToTorch, hwioToOihw } from '../layout.js';
import { type LayerLike, type ReadWeights, valuesOf } from '../model.js';
import type { Attribute } from './builders.js';
import { BUILT_IN_EXPORTERS } from './export-builtins.js';
import type { Graph, OnnxGraphWriter, Value } from './export-graph.js';
import { layerWeight } from './export-nodes.js';

/** A value of the graph being written: its name and per-example shape in convkit's layout (`[h, w, c]` or `[features]`). */
export type OnnxValue = Value;

/**
 * How a weight is written by {@link OnnxExportContext.weight}: `'oihw'` turns an HWIO kernel into ONNX's
 * OIHW, `'gemm'` a dense `[in, out]` kernel into Gemm's `[out, in]` (transB 1; rows reordered when the
 * layer reads a flattened map), `'same'` keeps convkit's layout (biases, scales).
 */
export type OnnxWeightLayout = 'oihw' | 'gemm' | 'same';

/**
 * What a layer's ONNX exporter gets: the graph writer (`add`, `floats`, `int64s`, `unique`,
 * `opsetImport`) and the layer's input. Maps flow through the graph as NCHW (exportOnnx transposes the
 * NHWC input once), so a node sees `[N, C, H, W]` where `inputShape` says `[h, w, c]`.
 */
export interface OnnxExportContext extends OnnxGraphWriter {
  /** The name of the value the layer reads. */
  readonly input: string;
  /** Its per-example shape in convkit's layout: `[h, w, c]` (NCHW in the graph) or `[features]`. */
  readonly inputShape: readonly number[];
  /** `{ name: input, shape: inputShape }`. */
  readonly value: OnnxValue;
  /** The default domain's opset being written (13 … 21). */
  readonly opset: number;
  /**
   * Writes a weight of the layer (`kernel`, `bias`, …) as a float32 initializer named `<layer>/<short>`,
   * in the layout asked, and returns its name. A missing weight throws naming the layer: build first.
   */
  weight(short: string, layout?: OnnxWeightLayout): string;
  /**
   * A weight's values in convkit's layout (HWIO kernels, `[in, out]` dense kernels), row-major: every
   * weight was read (`await data()`) before the walk, so an exporter that writes its own layout needs no
   * tensor read. Read-only (on the cpu backend it is the tensor's own storage): copy before changing it.
   * A missing weight throws naming the layer: build first.
   */
  values(short: string): Float32Array;
  /** Writes a child layer (a container's branch) reading `input`, and returns what it gives. */
  layer(child: LayerLike, input: OnnxValue): OnnxValue;
  /** When a dense layer reads features ONNX flattened (c, h, w) from this `[h, w, c]` map. */
  readonly flattenedFrom?: [number, number, number];
  /** For a flatten: a dense layer reading it has its rows in ONNX's (c, h, w) order, so no transpose back to NHWC. */
  readonly flattenFeedsDense: boolean;
}

/**
 * Writes one layer as ONNX nodes through `ctx` and returns the name of the value it gives. Exporters are
 * synchronous and never read a tensor: `exportOnnx` reads every weight once, asynchronously, before it
 * walks the model, and `ctx.weight` / `ctx.values` write and give those values.
 */
export type OnnxExporter = (layer: LayerLike, ctx: OnnxExportContext) => string;

const exporters = new Map<string, OnnxExporter>();

/**
 * Registers how a layer type is written to ONNX, for `exportOnnx` and `convkit export --format onnx`.
 * The exporter adds the layer's nodes (standard ops, or a custom-domain op declared with
 * `ctx.opsetImport`) and returns the value it gives. convkit's own layers are registered the same way.
 * A type registered twice throws; the returned function removes the registration.
 *
 * @example
 * ```ts
 * registerOnnxExport('scale', (layer, ctx) =>
 *   ctx.add('Add', [ctx.add('Mul', [ctx.input, ctx.weight('gamma')], `${layer.name}/mul`), ctx.weight('beta')], layer.name));
 * ```
 */
export function registerOnnxExport(type: string, exporter: OnnxExporter): () => void {
  if (exporters.has(type)) {
    throw new UnsupportedError(
      `registerOnnxExport(${JSON.stringify(type)})`,
      'the type already has an ONNX exporter; call the function its registration returned to remove it first',
    );
  }
  exporters.set(type, exporter);
  return () => {
    if (exporters.get(type) === exporter) exporters.delete(type);
  };
}

/**
 * The layer types exportOnnx can write now: convkit's and those registered.
 *
 * @example
 * ```ts
 * onnxExportTypes().includes('conv2d'); // true
 * ```
 */
export function onnxExportTypes(): string[] {
  return [...exporters.keys()].sort();
}

for (const [type, exporter] of Object.entries(BUILT_IN_EXPORTERS)) registerOnnxExport(type, exporter);

/** What the export walk knows beyond one layer: the graph, the opset, the flatten/dense pairs. */
export interface ExportWalk {
  graph: Graph;
  opset: number;
  /** Every weight of the model, read before the walk. */
  weights: ReadWeights;
  flattenedFrom(layer: LayerLike): [number, number, number] | undefined;
  feedsDense(layer: LayerLike): boolean;
}

/** Writes one layer through its registered exporter; an unregistered type throws saying how to register one. */
export function emitLayer(walk: ExportWalk, layer: LayerLike, x: OnnxValue): OnnxValue {
  const exporter = exporters.get(layer.type);
  if (!exporter) {
    throw new UnsupportedError(
      `${layer.name} (${layer.type})`,
      `ONNX export has no counterpart for this layer type: register one with registerOnnxExport(${JSON.stringify(layer.type)}, (layer, ctx) => …) from @convkit/io; registered: ${onnxExportTypes().join(', ')}`,
    );
  }
  const name = exporter(layer, new LayerContext(walk, layer, x));
  return { name, shape: layer.outputShape(x.shape) };
}

/** One layer's view of the graph being written. */
class LayerContext implements OnnxExportContext {
  readonly input: string;
  readonly inputShape: readonly number[];
  readonly opset: number;
  readonly flattenedFrom?: [number, number, number];
  readonly flattenFeedsDense: boolean;

  constructor(
    private readonly walk: ExportWalk,
    private readonly owner: LayerLike,
    readonly value: OnnxValue,
  ) {
    this.input = value.name;
    this.inputShape = value.shape;
    this.opset = walk.opset;
    const from = walk.flattenedFrom(owner);
    if (from) this.flattenedFrom = from;
    this.flattenFeedsDense = walk.feedsDense(owner);
  }

  unique(name: string): string {
    return this.walk.graph.unique(name);
  }
  add(op: string, inputs: readonly string[], name: string, attributes: Attribute[] = [], domain = ''): string {
    return this.walk.graph.add(op, inputs, name, attributes, domain);
  }
  floats(name: string, dims: readonly number[], values: Float32Array): string {
    return this.walk.graph.floats(name, dims, values);
  }
  int64s(name: string, values: readonly number[]): string {
    return this.walk.graph.int64s(name, values);
  }
  opsetImport(domain: string, version: number): void {
    this.walk.graph.opsetImport(domain, version);
  }
  layer(child: LayerLike, input: OnnxValue): OnnxValue {
    return emitLayer(this.walk, child, input);
  }
  values(short: string): Float32Array {
    return valuesOf(this.walk.weights, layerWeight(this.owner, short));
  }

  weight(short: string, layout: OnnxWeightLayout = 'same'): string {
    const v = layerWeight(this.owner, short);
    const shape = v.shape;
    const values = valuesOf(this.walk.weights, v);
    const name = `${this.owner.name}/${short}`;
    if (layout === 'oihw') {
      const [kh = 0, kw = 0, depth = 0, filters = 0] = shape;
      if (shape.length !== 4) throw this.notA(short, shape, 'an HWIO kernel');
      return this.floats(name, [filters, depth, kh, kw], hwioToOihw(values, shape));
    }
    if (layout === 'gemm') {
      const [inputs = 0, units = 0] = shape;
      if (shape.length !== 2) throw this.notA(short, shape, 'a dense [in, out] kernel');
      return this.floats(name, [units, inputs], denseToTorch(values, shape, this.flattenedFrom));
    }
    return this.floats(name, shape, values);
  }

  private notA(short: string, shape: readonly number[], what: string): UnsupportedError {
    return new UnsupportedError(
      `${this.owner.name} (${this.owner.type})`,
      `weight ${JSON.stringify(short)} of shape [${shape.join(', ')}] is not ${what}`,
    );
  }
}
