import { halfToFloat } from '../dtypes.js';
import { FormatError } from '../errors.js';
import { floats, integers, type WireField } from '../proto/reader.js';
import type { OnnxTensor } from './decode.js';
import { DATA_TYPE, TENSOR } from './fields.js';

// The values of a decoded tensor, read on request: decodeOnnx keeps only a view of the bytes.

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
