/**
 * A dependency-free reader for ONNX `TensorProto` files (proto2 wire format),
 * enough for the test data: dims, data type, name and the data fields.
 * Field numbers: onnx/onnx.proto (see shared/testdata/onnx-node/README.md).
 */
import { readFields, readVarint, submessages } from './wire.js';

export interface OnnxTensor {
  name: string;
  dims: number[];
  /** ONNX `TensorProto.DataType`: 1 float, 2 uint8, 3 int8, 6 int32, 7 int64, 9 bool, 11 double. */
  dataType: number;
  raw?: Uint8Array;
  floatData: number[];
  int32Data: number[];
  int64Data: bigint[];
  doubleData: number[];
}

/**
 * The weights stored inside a `model.onnx` (`ModelProto.graph.initializer`,
 * fields 7 and 5), by name.
 */
export function decodeInitializers(model: Uint8Array): Map<string, OnnxTensor> {
  const out = new Map<string, OnnxTensor>();
  for (const graph of submessages(readFields(model), 7)) {
    for (const body of submessages(readFields(graph), 5)) {
      const tensor = decodeTensor(body);
      out.set(tensor.name, tensor);
    }
  }
  return out;
}

/** Decodes one serialized `TensorProto`. */
export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const t: OnnxTensor = {
    name: '',
    dims: [],
    dataType: 0,
    floatData: [],
    int32Data: [],
    int64Data: [],
    doubleData: [],
  };
  const put = (field: number, v: bigint) => {
    if (field === 1) t.dims.push(Number(v));
    else if (field === 2) t.dataType = Number(v);
    else if (field === 5) t.int32Data.push(Number(BigInt.asIntN(32, v)));
    else if (field === 7) t.int64Data.push(BigInt.asIntN(64, v));
  };
  const p = { i: 0 };
  while (p.i < bytes.length) {
    const key = Number(readVarint(bytes, p));
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) put(field, readVarint(bytes, p));
    else if (wire === 2) {
      const length = Number(readVarint(bytes, p));
      const start = p.i;
      const end = start + length;
      p.i = end;
      if (field === 9) t.raw = bytes.subarray(start, end);
      else if (field === 8) t.name = new TextDecoder().decode(bytes.subarray(start, end));
      else if (field === 1 || field === 5 || field === 7) {
        const q = { i: start };
        while (q.i < end) put(field, readVarint(bytes, q));
      } else if (field === 4) for (let k = start; k < end; k += 4) t.floatData.push(view.getFloat32(k, true));
      else if (field === 10) for (let k = start; k < end; k += 8) t.doubleData.push(view.getFloat64(k, true));
    } else if (wire === 5) {
      if (field === 4) t.floatData.push(view.getFloat32(p.i, true));
      p.i += 4;
    } else if (wire === 1) {
      if (field === 10) t.doubleData.push(view.getFloat64(p.i, true));
      p.i += 8;
    } else throw new Error(`unsupported protobuf wire type ${wire} at offset ${p.i}`);
  }
  return t;
}

/** The tensor's elements as numbers, row-major. */
export function tensorValues(t: OnnxTensor): number[] {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (!t.raw) {
    if (t.dataType === 1) return t.floatData;
    if (t.dataType === 11) return t.doubleData;
    if (t.dataType === 7) return t.int64Data.map(Number);
    return t.int32Data;
  }
  const view = new DataView(t.raw.buffer, t.raw.byteOffset, t.raw.byteLength);
  const out: number[] = new Array(count);
  for (let k = 0; k < count; k++) {
    switch (t.dataType) {
      case 1:
        out[k] = view.getFloat32(4 * k, true);
        break;
      case 11:
        out[k] = view.getFloat64(8 * k, true);
        break;
      case 6:
        out[k] = view.getInt32(4 * k, true);
        break;
      case 7:
        out[k] = Number(view.getBigInt64(8 * k, true));
        break;
      case 2:
      case 9:
        out[k] = view.getUint8(k);
        break;
      case 3:
        out[k] = view.getInt8(k);
        break;
      default:
        throw new Error(`ONNX data type ${t.dataType} is not handled`);
    }
  }
  return out;
}
