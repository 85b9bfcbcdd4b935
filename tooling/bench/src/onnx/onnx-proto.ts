import { ProtoMessage } from './proto-writer.js';

/**
 * ONNX messages (onnx/onnx.proto field numbers, listed in
 * shared/testdata/onnx-node/README.md), built with the protobuf writer.
 * Repeated scalars are written unpacked, proto2's default for onnx.proto.
 */
export const OPSET = 13;
/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
export const IR_VERSION = 7;
export const FLOAT = 1;

const ATTRIBUTE_INT = 2;
const ATTRIBUTE_INTS = 7;

export type Attribute = { name: string; int: number } | { name: string; ints: readonly number[] };

/** `TensorProto` with float32 `raw_data` (little-endian, row-major). */
export function tensorProto(name: string, dims: readonly number[], values: Float32Array): ProtoMessage {
  const count = dims.reduce((a, b) => a * b, 1);
  if (values.length !== count) {
    throw new RangeError(
      `initializer ${name}: dims [${dims.join(', ')}] hold ${count} values, received ${values.length}`,
    );
  }
  const t = new ProtoMessage();
  for (const d of dims) t.varint(1, d);
  t.varint(2, FLOAT);
  t.string(8, name);
  t.bytes(9, littleEndianBytes(values));
  return t;
}

/** `ValueInfoProto` of a float32 tensor with a fixed shape. */
export function valueInfo(name: string, dims: readonly number[]): ProtoMessage {
  const shape = new ProtoMessage();
  for (const d of dims) shape.message(1, new ProtoMessage().varint(1, d));
  const tensorType = new ProtoMessage().varint(1, FLOAT).message(2, shape);
  return new ProtoMessage().string(1, name).message(2, new ProtoMessage().message(1, tensorType));
}

/** `NodeProto`. */
export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attributes: readonly Attribute[] = [],
): ProtoMessage {
  const n = new ProtoMessage();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, name);
  n.string(4, opType);
  for (const a of attributes) n.message(5, attribute(a));
  return n;
}

function attribute(a: Attribute): ProtoMessage {
  const m = new ProtoMessage().string(1, a.name);
  if ('int' in a) return m.varint(3, a.int).varint(20, ATTRIBUTE_INT);
  for (const v of a.ints) m.varint(8, v);
  return m.varint(20, ATTRIBUTE_INTS);
}

export interface GraphParts {
  name: string;
  nodes: readonly ProtoMessage[];
  initializers: readonly ProtoMessage[];
  inputs: readonly ProtoMessage[];
  outputs: readonly ProtoMessage[];
}

/** `ModelProto` holding one graph, default domain at opset 13. */
export function modelProto(graph: GraphParts): Uint8Array {
  const g = new ProtoMessage();
  for (const n of graph.nodes) g.message(1, n);
  g.string(2, graph.name);
  for (const i of graph.initializers) g.message(5, i);
  for (const i of graph.inputs) g.message(11, i);
  for (const o of graph.outputs) g.message(12, o);
  const opset = new ProtoMessage().string(1, '').varint(2, OPSET);
  return new ProtoMessage().varint(1, IR_VERSION).string(2, 'convkit-bench').message(7, g).message(8, opset).finish();
}

/** The float32 values as little-endian bytes: a view when the platform is little-endian (every one Node runs on here). */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return view;
  const out = new Uint8Array(values.byteLength);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    dv.setFloat32(4 * i, v, true);
  });
  return out;
}
