/** The safetensors element types convkit reads and writes, with their sizes in bytes. */
export const DTYPE_BYTES = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;

export type Dtype = keyof typeof DTYPE_BYTES;

/** The typed arrays a tensor can be given as; the dtype follows from the array. */
export type TensorData = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint8Array;

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.hasOwn(DTYPE_BYTES, value);
}

export function dtypeOf(data: TensorData): Dtype {
  if (data instanceof Float64Array) return 'F64';
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Int32Array) return 'I32';
  if (data instanceof Int16Array) return 'I16';
  if (data instanceof Int8Array) return 'I8';
  return 'U8';
}

/** IEEE half → single precision (safetensors files from PyTorch are often F16/BF16). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * The little-endian bytes of one tensor as numbers: floats widen to a
 * Float32Array (F64 stays Float64Array), integers to their own typed array;
 * I64 narrows to Float64Array since JavaScript numbers hold 53 bits.
 */
export function decodeValues(dtype: Dtype, bytes: Uint8Array): TensorData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const word = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        word.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = word.getFloat32(0);
      }
      return out;
    }
    case 'I64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      return out;
    }
    case 'I32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return out;
    }
    case 'I16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true);
      return out;
    }
    case 'I8':
      return new Int8Array(bytes.slice().buffer);
    default:
      return bytes.slice();
  }
}

/** A typed array's values as little-endian bytes (a copy; the host may be big-endian). */
export function encodeValues(data: TensorData): Uint8Array {
  const dtype = dtypeOf(data);
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const value = data[i] as number;
    if (dtype === 'F64') view.setFloat64(i * 8, value, true);
    else if (dtype === 'F32') view.setFloat32(i * 4, value, true);
    else if (dtype === 'I32') view.setInt32(i * 4, value, true);
    else if (dtype === 'I16') view.setInt16(i * 2, value, true);
    else if (dtype === 'I8') view.setInt8(i, value);
    else out[i] = value;
  }
  return out;
}
