import { ProtoMessage } from '../proto/writer.js';
import {
  ATTRIBUTE,
  ATTRIBUTE_TYPE,
  DATA_TYPE,
  DIMENSION,
  GRAPH,
  MODEL,
  NODE,
  OPSET_ID,
  SHAPE,
  TENSOR,
  TENSOR_TYPE,
  TYPE,
  VALUE_INFO,
} from './fields.js';

/**
 * ONNX messages built with the protobuf writer. Repeated scalars are written
 * unpacked, proto2's default for onnx.proto.
 */

/** A node attribute: one int, float or string, or a list of ints or floats. */
export type Attribute =
  | { name: string; int: number }
  | { name: string; ints: readonly number[] }
  | { name: string; float: number }
  | { name: string; floats: readonly number[] }
  | { name: string; string: string };

/**
 * `TensorProto` with float32 `raw_data` (little-endian, row-major).
 *
 * @example
 * ```ts
 * tensorProto('conv1.weight', [6, 1, 5, 5], weights);
 * ```
 */
export function tensorProto(name: string, dims: readonly number[], values: Float32Array): ProtoMessage {
  checkCount(name, dims, values.length);
  return tensorHeader(name, dims, DATA_TYPE.FLOAT).bytes(TENSOR.rawData, littleEndianFloats(values));
}

/**
 * `TensorProto` of int64 values (shapes, pads), in `int64_data`.
 *
 * @example
 * ```ts
 * int64TensorProto('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]);
 * ```
 */
export function int64TensorProto(name: string, dims: readonly number[], values: readonly number[]): ProtoMessage {
  checkCount(name, dims, values.length);
  const t = tensorHeader(name, dims, DATA_TYPE.INT64);
  for (const v of values) t.varint(TENSOR.int64Data, v);
  return t;
}

function tensorHeader(name: string, dims: readonly number[], dataType: number): ProtoMessage {
  const t = new ProtoMessage();
  for (const d of dims) t.varint(TENSOR.dims, d);
  t.varint(TENSOR.dataType, dataType);
  return t.string(TENSOR.name, name);
}

function checkCount(name: string, dims: readonly number[], count: number): void {
  const expected = dims.reduce((a, b) => a * b, 1);
  if (count !== expected) {
    throw new RangeError(`initializer ${name}: dims [${dims.join(', ')}] hold ${expected} values, received ${count}`);
  }
}

/**
 * `ValueInfoProto` of a float32 tensor; a string dimension is symbolic (`dim_param`, e.g. the batch).
 *
 * @example
 * ```ts
 * valueInfo('input', ['batch', 28, 28, 1]);
 * ```
 */
export function valueInfo(name: string, dims: readonly (number | string)[]): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of dims) {
    const dim = new ProtoMessage();
    shape.message(SHAPE.dim, typeof d === 'number' ? dim.varint(DIMENSION.value, d) : dim.string(DIMENSION.param, d));
  }
  const tensorType = new ProtoMessage().varint(TENSOR_TYPE.elemType, DATA_TYPE.FLOAT).message(TENSOR_TYPE.shape, shape);
  return new ProtoMessage()
    .string(VALUE_INFO.name, name)
    .message(VALUE_INFO.type, new ProtoMessage().message(TYPE.tensorType, tensorType));
}

/**
 * `NodeProto`, in the default domain unless `domain` names another (a custom op; declare its opset with
 * `ModelOptions.domains`).
 *
 * @example
 * ```ts
 * node('Relu', ['conv1'], ['conv1/relu'], 'conv1/relu');
 * node('SqueezeExcite', ['x', 'w1'], ['se1'], 'se1', [{ name: 'ratio', int: 4 }], 'com.example');
 * ```
 */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: readonly Attribute[] = [],
  domain = '',
): ProtoMessage {
  const n = new ProtoMessage();
  for (const i of inputs) n.string(NODE.input, i);
  for (const o of outputs) n.string(NODE.output, o);
  n.string(NODE.name, name);
  n.string(NODE.opType, opType);
  for (const a of attributes) n.message(NODE.attribute, attribute(a));
  if (domain !== '') n.string(NODE.domain, domain);
  return n;
}

function attribute(a: Attribute): ProtoMessage {
  const m = new ProtoMessage().string(ATTRIBUTE.name, a.name);
  if ('int' in a) return m.varint(ATTRIBUTE.i, a.int).varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.INT);
  if ('float' in a) return m.float(ATTRIBUTE.f, a.float).varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.FLOAT);
  if ('string' in a) return m.string(ATTRIBUTE.s, a.string).varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.STRING);
  if ('floats' in a) {
    for (const v of a.floats) m.float(ATTRIBUTE.floats, v);
    return m.varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.FLOATS);
  }
  for (const v of a.ints) m.varint(ATTRIBUTE.ints, v);
  return m.varint(ATTRIBUTE.type, ATTRIBUTE_TYPE.INTS);
}

/** What a graph is made of, each part already built. */
export interface GraphParts {
  name: string;
  nodes: readonly ProtoMessage[];
  initializers: readonly ProtoMessage[];
  inputs: readonly ProtoMessage[];
  outputs: readonly ProtoMessage[];
}

/** Options of {@link modelProto}. */
export interface ModelOptions {
  /** Default-domain opset. Default 13. */
  opset?: number;
  /** Default: the IR version that goes with the opset (7 for opsets 12–14). */
  irVersion?: number;
  /** `producer_name`. Default 'convkit'. */
  producer?: string;
  /** Opsets of custom domains the graph's nodes use: `{ 'com.example': 1 }`. Default none. */
  domains?: Readonly<Record<string, number>>;
}

/**
 * The IR version released with an opset (onnx/docs/Versioning.md): the
 * oldest one a runtime must read to load the model.
 *
 * @example
 * ```ts
 * irVersionFor(13); // 7
 * ```
 */
export function irVersionFor(opset: number): number {
  if (opset <= 8) return 3;
  if (opset <= 11) return opset - 5;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  return 10;
}

/**
 * A `ModelProto` holding one graph in the default domain.
 *
 * @example
 * ```ts
 * const bytes = modelProto({ name: 'tiny', nodes, initializers, inputs, outputs }, { opset: 13 });
 * ```
 */
export function modelProto(graph: GraphParts, options: ModelOptions = {}): Uint8Array {
  const opset = options.opset ?? 13;
  const g = new ProtoMessage();
  for (const n of graph.nodes) g.message(GRAPH.node, n);
  g.string(GRAPH.name, graph.name);
  for (const i of graph.initializers) g.message(GRAPH.initializer, i);
  for (const i of graph.inputs) g.message(GRAPH.input, i);
  for (const o of graph.outputs) g.message(GRAPH.output, o);
  const opsetId = new ProtoMessage().string(OPSET_ID.domain, '').varint(OPSET_ID.version, opset);
  const m = new ProtoMessage()
    .varint(MODEL.irVersion, options.irVersion ?? irVersionFor(opset))
    .string(MODEL.producerName, options.producer ?? 'convkit')
    .message(MODEL.graph, g)
    .message(MODEL.opsetImport, opsetId);
  for (const [domain, version] of Object.entries(options.domains ?? {}))
    m.message(MODEL.opsetImport, new ProtoMessage().string(OPSET_ID.domain, domain).varint(OPSET_ID.version, version));
  return m.finish();
}

/** The float32 values as little-endian bytes: a view when the platform is little-endian (every one Node runs on here). */
function littleEndianFloats(values: Float32Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return view;
  const out = new Uint8Array(values.byteLength);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    dv.setFloat32(4 * i, v, true);
  });
  return out;
}
