import { FormatError, UnsupportedError } from '../errors.js';
import {
  type DecodedAttribute,
  elementCount,
  type OnnxModel,
  type OnnxNode,
  type OnnxTensor,
  tensorFloats,
  tensorNumbers,
} from './decode.js';
import { DATA_TYPE, TENSOR } from './fields.js';

/**
 * A value known before the graph runs (a weight, a shape, pads): its dims
 * now and its values on request, so that `ConstantOfShape` weights (the
 * ONNX "light" models hold 60 million of them in 4 KB) are not allocated
 * until a model is built.
 */
export interface StaticTensor {
  dims: number[];
  count: number;
  /** Every element is this value (`ConstantOfShape`). */
  fill?: number;
  /** The values as float32, allocated on each call. */
  read(): Float32Array;
  /** Bytes of the file behind the values (0 for a fill): what reading them costs at most, four bytes per value. */
  fileBytes: number;
}

/** The largest static integer tensor read as a shape, pads or axes. */
const MAX_INTEGER_VALUES = 64;

/** Float types a weight may have; float16 and integers are refused (they would widen beyond the file's bytes). */
const WEIGHT_TYPES: readonly number[] = [DATA_TYPE.FLOAT, DATA_TYPE.DOUBLE];

/**
 * The graph's static values: initializers, `Constant` and `ConstantOfShape`
 * nodes, and `Identity` / `Unsqueeze` of them, looked up by value name.
 */
export class Statics {
  private readonly producers = new Map<string, OnnxNode>();
  private readonly cache = new Map<string, StaticTensor>();

  constructor(
    private readonly model: OnnxModel,
    private readonly isData: (value: string) => boolean,
  ) {
    for (const node of model.graph.nodes) for (const output of node.outputs) this.producers.set(output, node);
  }

  /** The static value named `name`, or `undefined` when it depends on the graph's input. */
  get(name: string): StaticTensor | undefined {
    if (!name || this.isData(name)) return undefined;
    const cached = this.cache.get(name);
    if (cached) return cached;
    const value = this.compute(name);
    if (value) this.cache.set(name, value);
    return value;
  }

  /** A static weight of `node` (input `index`), or an error naming the node. */
  weight(node: OnnxNode, index: number, what: string): StaticTensor {
    const name = node.inputs[index] ?? '';
    const value = this.get(name);
    if (!value) {
      const producer = this.producers.get(name);
      const why = this.isData(name)
        ? 'is computed from the input; convkit layers take constant weights'
        : `comes from ${producer ? describeNode(producer) : 'nowhere'}, which convkit does not evaluate (it folds Constant, ConstantOfShape, Identity, Reshape, 2-D Transpose and Unsqueeze)`;
      throw new UnsupportedError(describeNode(node), `its ${what} (${JSON.stringify(name)}) ${why}`);
    }
    return value;
  }

  /** A small static integer tensor (a shape, pads, axes) as numbers. */
  integers(node: OnnxNode, index: number, what: string): number[] {
    const name = node.inputs[index] ?? '';
    const initializer = this.model.graph.initializers.get(name);
    if (initializer) return readIntegers(initializer, what);
    const producer = this.producers.get(name);
    const tensor = producer?.op === 'Constant' ? producer.attributes.get('value') : undefined;
    if (tensor?.type === 'tensor') return readIntegers(tensor.value, what);
    if (producer?.op === 'Constant') {
      const ints = producer.attributes.get('value_ints') ?? producer.attributes.get('value_int');
      if (ints?.type === 'ints') return ints.value.slice(0, MAX_INTEGER_VALUES);
      if (ints?.type === 'int') return [ints.value];
    }
    throw new UnsupportedError(
      describeNode(node),
      `its ${what} (${JSON.stringify(name)}) must be a constant integer tensor`,
    );
  }

  private compute(name: string): StaticTensor | undefined {
    const initializer = this.model.graph.initializers.get(name);
    if (initializer) return fromTensor(initializer);
    const node = this.producers.get(name);
    if (!node) return undefined;
    switch (node.op) {
      case 'Constant':
        return constantNode(node, this.model.file);
      case 'ConstantOfShape': {
        const dims = this.integers(node, 0, 'shape');
        const value = node.attributes.get('value');
        const fill = value?.type === 'tensor' ? (tensorFloats(value.value)[0] ?? 0) : 0;
        const count = elementCount({ dims, name, file: this.model.file, offset: node.offset });
        if (dims.some((d) => d < 0))
          throw new FormatError(
            this.model.file,
            node.offset,
            `${describeNode(node)} makes a shape [${dims.join(', ')}] with a negative dimension`,
          );
        return { dims, count, fill, fileBytes: 0, read: () => new Float32Array(count).fill(fill) };
      }
      case 'Identity':
        return this.get(node.inputs[0] ?? '');
      case 'Transpose': {
        const source = this.get(node.inputs[0] ?? '');
        const perm = node.attributes.get('perm');
        const swap =
          source?.dims.length === 2 && (perm === undefined || (perm.type === 'ints' && perm.value.join() === '1,0'));
        if (!source || !swap) return undefined;
        const [rows = 0, cols = 0] = source.dims;
        return { ...source, dims: [cols, rows], read: () => transpose2d(source.read(), rows, cols) };
      }
      case 'Reshape': {
        const source = this.get(node.inputs[0] ?? '');
        return source && { ...source, dims: reshaped(source, this.integers(node, 1, 'shape'), node, this.model.file) };
      }
      case 'Unsqueeze': {
        const source = this.get(node.inputs[0] ?? '');
        if (!source) return undefined;
        const axes = node.attributes.get('axes');
        const list = axes?.type === 'ints' ? axes.value : this.integers(node, 1, 'axes');
        const rank = source.dims.length + list.length;
        const normalized = list.map((a) => (a < 0 ? a + rank : a));
        if (normalized.some((a) => a < 0 || a >= rank) || new Set(normalized).size !== list.length) {
          throw new FormatError(
            this.model.file,
            node.offset,
            `${describeNode(node)} has axes [${list.join(', ')}] for a rank-${rank} result`,
          );
        }
        const dims: number[] = [];
        let k = 0;
        for (let axis = 0; axis < rank; axis++) dims.push(normalized.includes(axis) ? 1 : (source.dims[k++] as number));
        return { ...source, dims };
      }
      default:
        return undefined;
    }
  }
}

/** A row-major `[rows, cols]` matrix transposed. */
export function transpose2d(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c] as number;
  return out;
}

/** ONNX Reshape's target dims: 0 copies a dim, one −1 takes what is left; the count must not change. */
function reshaped(source: StaticTensor, target: readonly number[], node: OnnxNode, file: string): number[] {
  const dims = target.map((d, k) => (d === 0 ? (source.dims[k] ?? -2) : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = dims.filter((d) => d === -1).length;
  const fits = free === 0 ? known === source.count : free === 1 && known > 0 && source.count % known === 0;
  if (!fits || dims.some((d) => d < -1)) {
    throw new FormatError(
      file,
      node.offset,
      `${describeNode(node)} reshapes [${source.dims.join(', ')}] to [${target.join(', ')}]`,
    );
  }
  return dims.map((d) => (d === -1 ? source.count / known : d));
}

/** `"name" (Op)`: how errors name a node. */
export function describeNode(node: OnnxNode): string {
  return `node ${JSON.stringify(node.name || node.outputs[0] || '')} (${node.op})`;
}

function fromTensor(tensor: OnnxTensor): StaticTensor {
  const count = elementCount(tensor);
  if (!WEIGHT_TYPES.includes(tensor.dataType)) {
    // Integer tensors serve as shapes and pads (read through `integers`); as weights they are refused.
    return {
      dims: tensor.dims,
      count,
      fileBytes: count,
      read: () => {
        throw new UnsupportedError(
          `tensor ${JSON.stringify(tensor.name)}`,
          `has data type ${tensor.dataType}; convkit weights are float32 or float64`,
        );
      },
    };
  }
  checkDataSize(tensor, count);
  return { dims: tensor.dims, count, fileBytes: count * 4, read: () => tensorFloats(tensor) };
}

/** Checks, without allocating, that a float tensor's data holds exactly `count` values. */
function checkDataSize(tensor: OnnxTensor, count: number): void {
  const size = tensor.dataType === DATA_TYPE.DOUBLE ? 8 : 4;
  const field = tensor.dataType === DATA_TYPE.DOUBLE ? TENSOR.doubleData : TENSOR.floatData;
  let bytes = 0;
  let hasRaw = false;
  for (const f of tensor.fields) {
    if (f.field === TENSOR.rawData && f.value.wire === 2) {
      hasRaw = true;
      bytes = f.value.bytes.length;
    }
  }
  if (!hasRaw) {
    for (const f of tensor.fields) {
      if (f.field !== field) continue;
      if (f.value.wire === 2) bytes += f.value.bytes.length;
      else if (f.value.wire === 1 || f.value.wire === 5) bytes += f.value.bytes.length;
    }
  }
  if (bytes !== count * size) {
    throw new FormatError(
      tensor.file,
      tensor.offset,
      `tensor ${JSON.stringify(tensor.name)} [${tensor.dims.join(', ')}] needs ${count * size} bytes of data, has ${bytes}`,
    );
  }
}

function readIntegers(tensor: OnnxTensor, what: string): number[] {
  const count = elementCount(tensor);
  if (count > MAX_INTEGER_VALUES) {
    throw new FormatError(
      tensor.file,
      tensor.offset,
      `the ${what} tensor ${JSON.stringify(tensor.name)} has ${count} values; at most ${MAX_INTEGER_VALUES} are read`,
    );
  }
  return Array.from(tensorNumbers(tensor), (v) => Math.trunc(v));
}

function constantNode(node: OnnxNode, file: string): StaticTensor | undefined {
  const attribute: DecodedAttribute | undefined =
    node.attributes.get('value') ?? node.attributes.get('value_float') ?? node.attributes.get('value_floats');
  if (attribute?.type === 'tensor') return fromTensor(attribute.value);
  if (attribute?.type === 'float') return small([], [attribute.value]);
  if (attribute?.type === 'floats') return small([attribute.value.length], attribute.value);
  if (attribute === undefined) throw new FormatError(file, node.offset, `${describeNode(node)} has no value attribute`);
  return undefined;
}

function small(dims: number[], values: readonly number[]): StaticTensor {
  return { dims, count: values.length, fileBytes: 4 * values.length, read: () => Float32Array.from(values) };
}
