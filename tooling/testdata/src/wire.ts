/**
 * A generic protobuf (proto2/proto3 wire format) field walker: enough to read
 * ONNX files (`model.onnx`, `TensorProto`) without a schema, and to check
 * what the bench's ONNX writer produced.
 */
export type WireValue =
  | { wire: 0; value: bigint }
  | { wire: 1 | 5; bytes: Uint8Array }
  | { wire: 2; bytes: Uint8Array };

export interface WireField {
  field: number;
  value: WireValue;
}

export function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  const p = { i: 0 };
  while (p.i < bytes.length) {
    const key = Number(readVarint(bytes, p));
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) fields.push({ field, value: { wire, value: readVarint(bytes, p) } });
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      fields.push({ field, value: { wire, bytes: bytes.subarray(p.i, p.i + size) } });
      p.i += size;
    } else if (wire === 2) {
      const length = Number(readVarint(bytes, p));
      fields.push({ field, value: { wire, bytes: bytes.subarray(p.i, p.i + length) } });
      p.i += length;
    } else throw new Error(`unsupported wire type ${wire} at offset ${p.i}`);
  }
  return fields;
}

export function readVarint(bytes: Uint8Array, p: { i: number }): bigint {
  let value = 0n;
  let shift = 0n;
  for (;;) {
    if (p.i >= bytes.length) throw new Error(`truncated varint at offset ${p.i}`);
    const byte = bytes[p.i++] as number;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return value;
    shift += 7n;
  }
}

/** The length-delimited payloads of one field number. */
export function submessages(fields: readonly WireField[], field: number): Uint8Array[] {
  return fields.flatMap((f) => (f.field === field && f.value.wire === 2 ? [f.value.bytes] : []));
}

/** The varint values of one field number. */
export function varints(fields: readonly WireField[], field: number): bigint[] {
  return fields.flatMap((f) => (f.field === field && f.value.wire === 0 ? [f.value.value] : []));
}

export function strings(fields: readonly WireField[], field: number): string[] {
  return submessages(fields, field).map((b) => new TextDecoder().decode(b));
}
