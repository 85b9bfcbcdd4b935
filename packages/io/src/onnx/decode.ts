import { halfToFloat } from '../dtypes.js';
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

/** The number of elements of a tensor's dims, or a `FormatError` beyond 2^53. */
export function elementCount(tensor: Pick<OnnxTensor, 'dims' | 'name' | 'file' | 'offset'>): number {
  let count = 1;
  for (const d of tensor.dims) {
    count *= d;
    if (!Number.isSafeInteger(count)) {
      throw new FormatError(
        tensor.file,
        tensor.offset,
        `tensor ${JSON.stringify(tensor.name)} has dims [${tensor.dims.join(', ')}]: more elements than 2^53`,
      );
    }
  }
  return count;
}

const RAW_SIZE: Record<number, number> = {
  [DATA_TYPE.FLOAT]: 4,
  [DATA_TYPE.DOUBLE]: 8,
  [DATA_TYPE.INT32]: 4,
  [DATA_TYPE.INT64]: 8,
  [DATA_TYPE.INT8]: 1,
  [DATA_TYPE.UINT8]: 1,
  [DATA_TYPE.BOOL]: 1,
  [DATA_TYPE.FLOAT16]: 2,
};

/**
 * A tensor's values as float32, from `raw_data` or the typed fields, after
 * checking that the data holds exactly as many values as the dims say.
 *
 * @example
 * ```ts
 * const kernel = tensorFloats(model.graph.initializers.get('conv1.weight')!);
 * ```
 */
export function tensorFloats(tensor: OnnxTensor): Float32Array {
  return Float32Array.from(tensorNumbers(tensor));
}

/**
 * A tensor's values as numbers (integers narrowed from int64, which must stay within ±2^53).
 *
 * @example
 * ```ts
 * tensorNumbers(model.graph.initializers.get('shape')!); // [1, -1]
 * ```
 */
export function tensorNumbers(tensor: OnnxTensor): number[] | Float32Array | Float64Array {
  const { file, offset, name, dataType, fields } = tensor;
  const count = elementCount(tensor);
  const where = `tensor ${JSON.stringify(name)} [${tensor.dims.join(', ')}]`;
  const raw = fields.filter((f) => f.field === TENSOR.rawData && f.value.wire === 2).at(-1);
  if (raw && raw.value.wire === 2) {
    const size = RAW_SIZE[dataType];
    if (size === undefined)
      throw new FormatError(file, offset, `${where} has data type ${dataType}, which convkit does not read`);
    const bytes = raw.value.bytes;
    if (bytes.length !== count * size) {
      throw new FormatError(file, raw.offset, `${where} needs ${count * size} bytes of raw_data, has ${bytes.length}`);
    }
    return decodeRaw(bytes, dataType, count, file, raw.offset);
  }
  let values: number[];
  if (dataType === DATA_TYPE.FLOAT) values = floats(fields, TENSOR.floatData, file);
  else if (dataType === DATA_TYPE.DOUBLE) values = doubles(fields, file);
  else if (dataType === DATA_TYPE.INT64) values = integers(fields, TENSOR.int64Data, file);
  else if (
    dataType === DATA_TYPE.INT32 ||
    dataType === DATA_TYPE.INT8 ||
    dataType === DATA_TYPE.UINT8 ||
    dataType === DATA_TYPE.BOOL
  ) {
    values = integers(fields, TENSOR.int32Data, file);
  } else throw new FormatError(file, offset, `${where} has data type ${dataType}, which convkit does not read`);
  if (values.length !== count) {
    throw new FormatError(file, offset, `${where} holds ${count} values, its data has ${values.length}`);
  }
  return values;
}

function decodeRaw(
  bytes: Uint8Array,
  dataType: number,
  count: number,
  file: string,
  offset: number,
): number[] | Float32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dataType) {
    case DATA_TYPE.FLOAT: {
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = view.getFloat32(4 * k, true);
      return out;
    }
    case DATA_TYPE.DOUBLE: {
      const out = new Float64Array(count);
      for (let k = 0; k < count; k++) out[k] = view.getFloat64(8 * k, true);
      return out;
    }
    case DATA_TYPE.INT64: {
      const out: number[] = [];
      for (let k = 0; k < count; k++) {
        const v = view.getBigInt64(8 * k, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new FormatError(file, offset + 8 * k, `int64 value ${v} is beyond ±2^53`);
        }
        out.push(Number(v));
      }
      return out;
    }
    case DATA_TYPE.INT32: {
      const out: number[] = [];
      for (let k = 0; k < count; k++) out.push(view.getInt32(4 * k, true));
      return out;
    }
    case DATA_TYPE.INT8: {
      const out: number[] = [];
      for (let k = 0; k < count; k++) out.push(view.getInt8(k));
      return out;
    }
    case DATA_TYPE.FLOAT16: {
      const out = new Float32Array(count);
      for (let k = 0; k < count; k++) out[k] = halfToFloat(view.getUint16(2 * k, true));
      return out;
    }
    default:
      return Array.from(bytes);
  }
}

function doubles(fields: readonly WireField[], file: string): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== TENSOR.doubleData) continue;
    if (f.value.wire === 1)
      out.push(new DataView(f.value.bytes.buffer, f.value.bytes.byteOffset, 8).getFloat64(0, true));
    else if (f.value.wire === 2) {
      if (f.value.bytes.length % 8 !== 0)
        throw new FormatError(file, f.offset, `packed doubles of ${f.value.bytes.length} bytes, not a multiple of 8`);
      const v = new DataView(f.value.bytes.buffer, f.value.bytes.byteOffset, f.value.bytes.byteLength);
      for (let k = 0; k < f.value.bytes.length; k += 8) out.push(v.getFloat64(k, true));
    }
  }
  return out;
}
