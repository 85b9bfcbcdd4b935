import { FormatError } from '../errors.js';
import {
  countFields,
  floats,
  integerOf,
  integers,
  messages,
  readFields,
  stringOf,
  strings,
  submessages,
  type WireField,
  type WireSource,
} from '../proto/reader.js';
import {
  ATTRIBUTE,
  ATTRIBUTE_TYPE,
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

// The tensors' values are read by tensor-data.ts; re-exported so that importers of decode.js keep finding them.
export { elementCount, tensorFloats, tensorNumbers } from './tensor-data.js';

/**
 * A schema-checked reader of ONNX `ModelProto` files: the graph's nodes,
 * initializers, inputs and outputs. Tensor data stays a view into the file
 * until asked for, and each tensor's dims are checked against its data
 * before anything is allocated.
 */

/** An initializer or tensor attribute: dims and type now, values on request ({@link tensorFloats}). */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** `TensorProto.DataType` (1 float, 6 int32, 7 int64, 11 double, …). */
  dataType: number;
  /** Absolute byte offset of the tensor's message, for error messages. */
  offset: number;
  file: string;
  fields: WireField[];
}

/** A decoded attribute value. */
export type DecodedAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'floats'; value: number[] }
  | { type: 'ints'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'other'; value: number };

export interface OnnxNode {
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, DecodedAttribute>;
  offset: number;
}

/** A graph input or output: its element type and dims (`undefined` for a symbolic or missing one). */
export interface OnnxValueInfo {
  name: string;
  elemType: number;
  dims: (number | undefined)[];
}

export interface OnnxModel {
  file: string;
  irVersion: number;
  producer: string;
  /** Opset version per domain (`''` is the default ONNX domain). */
  opsets: Map<string, number>;
  graph: {
    name: string;
    nodes: OnnxNode[];
    initializers: Map<string, OnnxTensor>;
    inputs: OnnxValueInfo[];
    outputs: OnnxValueInfo[];
  };
}

/**
 * The most nodes a graph may have unless `maxNodes` says otherwise; the same
 * number bounds its initializers, inputs, outputs, value_info entries and
 * other fields, and the model's own fields. The CNNs convkit imports have
 * hundreds to a few thousand nodes; converting 50,000 takes about 2.5 s and
 * 110 MB on a busy two-core machine, and a chain of 10⁶ nodes (28 MB of
 * file) would take tens of seconds and gigabytes.
 */
export const MAX_ONNX_NODES = 50_000;

/** Options of {@link decodeOnnx}. */
export interface DecodeOnnxOptions {
  /** The most nodes the graph may have, and the most of each other kind of field (default {@link MAX_ONNX_NODES}). */
  maxNodes?: number;
}

/**
 * Decodes and checks a serialized ONNX model: every length-prefixed field
 * against the bytes left, every tensor's dims against its data size.
 * Malformed bytes throw `FormatError` naming the file and the byte offset;
 * so does a graph of more than `maxNodes` nodes (or initializers, inputs, …),
 * counted before any is decoded.
 *
 * @example
 * ```ts
 * const { graph, opsets } = decodeOnnx(bytes, 'lenet.onnx');
 * graph.nodes.map((n) => n.op); // ['Transpose', 'Conv', 'Relu', …]
 * ```
 */
export function decodeOnnx(
  bytes: Uint8Array,
  file = '<onnx>',
  { maxNodes = MAX_ONNX_NODES }: DecodeOnnxOptions = {},
): OnnxModel {
  // Counted before anything is decoded: decoding is what costs memory (a field of
  // 3 bytes becomes an object of hundreds; 10⁶ nodes fit in 28 MB of file).
  const limit = (count: number, where: 'model' | 'graph', what: string, offset: number) => {
    if (count > maxNodes) {
      throw new FormatError(
        file,
        offset,
        `the ${where} has ${count} ${what}, more than the limit of ${maxNodes} (maxNodes); pass a larger { maxNodes } if the file is trusted`,
      );
    }
  };
  limit(countFields(bytes, []).total, 'model', 'fields', 0);
  const model = readFields(bytes, { file, offset: 0 });
  const last = submessages(model, MODEL.graph, file).at(-1);
  if (!last) throw new FormatError(file, 0, 'no graph (ModelProto field 7): this is not an ONNX model');
  const [graphBytes, graphSource] = last;
  const kinds = [
    [GRAPH.node, 'nodes'],
    [GRAPH.initializer, 'initializers'],
    [GRAPH.input, 'inputs'],
    [GRAPH.output, 'outputs'],
    [GRAPH.valueInfo, 'value_info entries'],
  ] as const;
  const { counts, total } = countFields(
    graphBytes,
    kinds.map(([field]) => field),
  );
  kinds.forEach(([, what], k) => {
    limit(counts[k] as number, 'graph', what, graphSource.offset);
  });
  limit(total - counts.reduce((a, b) => a + b, 0), 'graph', 'other fields', graphSource.offset);
  const graph = readFields(graphBytes, graphSource);
  const opsets = new Map<string, number>();
  for (const opset of messages(model, MODEL.opsetImport, file)) {
    opsets.set(stringOf(opset, OPSET_ID.domain), integerOf(opset, OPSET_ID.version, file));
  }
  const initializers = new Map<string, OnnxTensor>();
  for (const [body, source] of submessages(graph, GRAPH.initializer, file)) {
    const tensor = decodeTensor(body, source);
    if (initializers.has(tensor.name)) {
      throw new FormatError(file, source.offset, `two initializers are named ${JSON.stringify(tensor.name)}`);
    }
    initializers.set(tensor.name, tensor);
  }
  return {
    file,
    irVersion: integerOf(model, MODEL.irVersion, file),
    producer: stringOf(model, MODEL.producerName),
    opsets,
    graph: {
      name: stringOf(graph, GRAPH.name),
      nodes: submessages(graph, GRAPH.node, file).map(([body, source]) => decodeNode(body, source)),
      initializers,
      inputs: submessages(graph, GRAPH.input, file).map(([body, source]) => decodeValueInfo(body, source)),
      outputs: submessages(graph, GRAPH.output, file).map(([body, source]) => decodeValueInfo(body, source)),
    },
  };
}

function decodeNode(bytes: Uint8Array, source: WireSource): OnnxNode {
  const fields = readFields(bytes, source);
  const attributes = new Map<string, DecodedAttribute>();
  for (const [body, at] of submessages(fields, NODE.attribute, source.file)) {
    const [name, value] = decodeAttribute(body, at);
    attributes.set(name, value);
  }
  return {
    name: stringOf(fields, NODE.name),
    op: stringOf(fields, NODE.opType),
    domain: stringOf(fields, NODE.domain),
    inputs: strings(fields, NODE.input),
    outputs: strings(fields, NODE.output),
    attributes,
    offset: source.offset,
  };
}

/** Old writers leave `type` out: then it follows from the field that is set. */
function decodeAttribute(bytes: Uint8Array, source: WireSource): [string, DecodedAttribute] {
  const { file } = source;
  const fields = readFields(bytes, source);
  const name = stringOf(fields, ATTRIBUTE.name);
  const has = (field: number) => fields.some((f) => f.field === field);
  const inferred = has(ATTRIBUTE.f)
    ? ATTRIBUTE_TYPE.FLOAT
    : has(ATTRIBUTE.i)
      ? ATTRIBUTE_TYPE.INT
      : has(ATTRIBUTE.s)
        ? ATTRIBUTE_TYPE.STRING
        : has(ATTRIBUTE.t)
          ? ATTRIBUTE_TYPE.TENSOR
          : has(ATTRIBUTE.floats)
            ? ATTRIBUTE_TYPE.FLOATS
            : has(ATTRIBUTE.ints)
              ? ATTRIBUTE_TYPE.INTS
              : has(ATTRIBUTE.strings)
                ? ATTRIBUTE_TYPE.STRINGS
                : 0;
  const type = integerOf(fields, ATTRIBUTE.type, file, inferred);
  switch (type) {
    case ATTRIBUTE_TYPE.FLOAT:
      return [name, { type: 'float', value: floats(fields, ATTRIBUTE.f, file).at(-1) ?? 0 }];
    case ATTRIBUTE_TYPE.INT:
      return [name, { type: 'int', value: integerOf(fields, ATTRIBUTE.i, file) }];
    case ATTRIBUTE_TYPE.STRING:
      return [name, { type: 'string', value: stringOf(fields, ATTRIBUTE.s) }];
    case ATTRIBUTE_TYPE.TENSOR: {
      const tensor = submessages(fields, ATTRIBUTE.t, file).at(-1);
      if (!tensor)
        throw new FormatError(file, source.offset, `attribute ${JSON.stringify(name)} of type TENSOR has no tensor`);
      return [name, { type: 'tensor', value: decodeTensor(tensor[0], tensor[1]) }];
    }
    case ATTRIBUTE_TYPE.FLOATS:
      return [name, { type: 'floats', value: floats(fields, ATTRIBUTE.floats, file) }];
    case ATTRIBUTE_TYPE.INTS:
      return [name, { type: 'ints', value: integers(fields, ATTRIBUTE.ints, file) }];
    case ATTRIBUTE_TYPE.STRINGS:
      return [name, { type: 'strings', value: strings(fields, ATTRIBUTE.strings) }];
    default:
      return [name, { type: 'other', value: type }];
  }
}

function decodeValueInfo(bytes: Uint8Array, source: WireSource): OnnxValueInfo {
  const { file } = source;
  const fields = readFields(bytes, source);
  const type = messages(fields, VALUE_INFO.type, file).at(-1) ?? [];
  const tensorType = messages(type, TYPE.tensorType, file).at(-1) ?? [];
  const shape = messages(tensorType, TENSOR_TYPE.shape, file).at(-1) ?? [];
  const dims = messages(shape, SHAPE.dim, file).map((dim) => {
    const value = integers(dim, DIMENSION.value, file).at(-1);
    return value !== undefined && value >= 0 ? value : undefined;
  });
  return { name: stringOf(fields, VALUE_INFO.name), elemType: integerOf(tensorType, TENSOR_TYPE.elemType, file), dims };
}

function decodeTensor(bytes: Uint8Array, source: WireSource): OnnxTensor {
  const { file, offset } = source;
  const fields = readFields(bytes, source);
  const dims = integers(fields, TENSOR.dims, file);
  const name = stringOf(fields, TENSOR.name);
  if (dims.some((d) => d < 0)) {
    throw new FormatError(file, offset, `tensor ${JSON.stringify(name)} has dims [${dims.join(', ')}]; dims are ≥ 0`);
  }
  if (integerOf(fields, TENSOR.dataLocation, file) === 1 || fields.some((f) => f.field === TENSOR.externalData)) {
    throw new FormatError(
      file,
      offset,
      `tensor ${JSON.stringify(name)} keeps its data in an external file; convkit reads self-contained models only`,
    );
  }
  return { name, dims, dataType: integerOf(fields, TENSOR.dataType, file), offset, file, fields };
}
