/**
 * A schema-free reader for the graph of an ONNX `model.onnx`: its nodes
 * (op type, inputs, outputs, attributes) and initializers, enough to compare
 * a network's structure and weight shapes with a model definition.
 * Field numbers: onnx/onnx.proto (ModelProto.graph = 7; GraphProto node = 1,
 * initializer = 5; NodeProto input = 1, output = 2, name = 3, op_type = 4,
 * attribute = 5; AttributeProto name = 1, f = 2, i = 3, s = 4, t = 5,
 * floats = 7, ints = 8, strings = 9, type = 20).
 */
import { decodeTensor, type OnnxTensor, tensorValues } from './tensor.js';
import { readFields, readVarint, strings, submessages, type WireField } from './wire.js';

/** An attribute's value: a float or int, a list of them, a string, or a tensor. */
export type OnnxAttribute = number | number[] | string | OnnxTensor;

export interface OnnxNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, OnnxAttribute>;
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
}

function float32(bytes: Uint8Array, offset = 0): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getFloat32(offset, true);
}

/** Repeated scalars: packed (one length-delimited run) or one field each. */
function repeated(fields: readonly WireField[], field: number, kind: 'float' | 'int'): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    const v = f.value;
    if (kind === 'int' && v.wire === 0) out.push(Number(BigInt.asIntN(64, v.value)));
    else if (kind === 'float' && v.wire === 5) out.push(float32(v.bytes));
    else if (v.wire === 2) {
      if (kind === 'float') for (let k = 0; k + 4 <= v.bytes.length; k += 4) out.push(float32(v.bytes, k));
      else {
        const p = { i: 0 };
        while (p.i < v.bytes.length) out.push(Number(BigInt.asIntN(64, readVarint(v.bytes, p))));
      }
    }
  }
  return out;
}

/** AttributeProto.type: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, 8 STRINGS. */
function decodeAttribute(bytes: Uint8Array): [string, OnnxAttribute] {
  const fields = readFields(bytes);
  const name = strings(fields, 1)[0] ?? '';
  const typeField = fields.find((f) => f.field === 20 && f.value.wire === 0);
  const type = typeField && typeField.value.wire === 0 ? Number(typeField.value.value) : 0;
  const has = (field: number) => fields.some((f) => f.field === field);
  // Old writers may leave `type` out: infer it from the field that is set.
  const kind = type || (has(2) ? 1 : has(3) ? 2 : has(4) ? 3 : has(5) ? 4 : has(7) ? 6 : has(8) ? 7 : has(9) ? 8 : 0);
  switch (kind) {
    case 1: {
      const f = fields.find((x) => x.field === 2 && x.value.wire === 5);
      return [name, f && f.value.wire === 5 ? float32(f.value.bytes) : 0];
    }
    case 2: {
      const f = fields.find((x) => x.field === 3 && x.value.wire === 0);
      return [name, f && f.value.wire === 0 ? Number(BigInt.asIntN(64, f.value.value)) : 0];
    }
    case 3:
      return [name, strings(fields, 4)[0] ?? ''];
    case 4: {
      const t = submessages(fields, 5)[0];
      if (!t) throw new Error(`ONNX attribute ${JSON.stringify(name)}: tensor attribute without a tensor`);
      return [name, decodeTensor(t)];
    }
    case 6:
      return [name, repeated(fields, 7, 'float')];
    case 7:
      return [name, repeated(fields, 8, 'int')];
    case 8:
      return [name, strings(fields, 9).join(',')];
    default:
      throw new Error(`ONNX attribute ${JSON.stringify(name)}: type ${type} is not handled`);
  }
}

function decodeNode(bytes: Uint8Array): OnnxNode {
  const fields = readFields(bytes);
  return {
    op: strings(fields, 4)[0] ?? '',
    name: strings(fields, 3)[0] ?? '',
    inputs: strings(fields, 1),
    outputs: strings(fields, 2),
    attrs: Object.fromEntries(submessages(fields, 5).map(decodeAttribute)),
  };
}

/**
 * The nodes (in file order, which ONNX requires to be topological) and the
 * initializers of a serialized `ModelProto`.
 */
export function decodeGraph(model: Uint8Array): OnnxGraph {
  const graph = submessages(readFields(model), 7)[0];
  if (!graph) throw new Error('decodeGraph: no graph (ModelProto field 7) in these bytes');
  const fields = readFields(graph);
  const initializers = new Map<string, OnnxTensor>();
  for (const body of submessages(fields, 5)) {
    const tensor = decodeTensor(body);
    initializers.set(tensor.name, tensor);
  }
  return { nodes: submessages(fields, 1).map(decodeNode), initializers };
}

/**
 * The weight shapes of a "light" model, in graph order: the value of each
 * `ConstantOfShape`'s shape input, read from an int64 initializer or from the
 * `Constant` node that produces it.
 */
export function weightShapes(graph: OnnxGraph): { name: string; dims: number[] }[] {
  const constants = new Map<string, OnnxTensor>();
  for (const node of graph.nodes) {
    const value = node.attrs.value;
    if (node.op === 'Constant' && value !== undefined && typeof value === 'object' && !Array.isArray(value)) {
      for (const output of node.outputs) constants.set(output, value);
    }
  }
  return graph.nodes
    .filter((node) => node.op === 'ConstantOfShape')
    .map((node) => {
      const input = node.inputs[0] ?? '';
      const shape = graph.initializers.get(input) ?? constants.get(input);
      if (!shape)
        throw new Error(`weightShapes: the shape ${JSON.stringify(input)} of a ConstantOfShape is not a constant`);
      return { name: node.outputs[0] ?? '', dims: tensorValues(shape) };
    });
}
