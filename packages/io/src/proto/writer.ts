/**
 * A minimal protobuf (proto2 wire format) writer: just what an ONNX
 * ModelProto needs. A message keeps a list of byte chunks and their total
 * length, so nesting a 550 MB initializer into a graph and the graph into a
 * model copies it once, in `finish`, instead of once per level.
 *
 * @example
 * ```ts
 * const bytes = new ProtoMessage().string(2, 'testing').message(3, new ProtoMessage().varint(1, 150)).finish();
 * ```
 */
export class ProtoMessage {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  /** A varint field (int32, int64, enum, bool). Negative numbers take ten bytes, as protobuf's int64 does. */
  varint(field: number, value: number | bigint): this {
    this.key(field, 0);
    this.push(encodeVarint(value));
    return this;
  }

  /** A 32-bit float field (wire type 5, little-endian). */
  float(field: number, value: number): this {
    this.key(field, 5);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** A length-delimited bytes field. The bytes are referenced, not copied, until `finish`. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.push(encodeVarint(value.length));
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** An embedded message. It must not be changed afterwards: its chunks are shared. */
  message(field: number, value: ProtoMessage): this {
    this.key(field, 2);
    this.push(encodeVarint(value.size));
    for (const part of value.parts) this.push(part);
    return this;
  }

  /** The serialized message as one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }

  private key(field: number, wireType: 0 | 1 | 2 | 5): void {
    if (!Number.isInteger(field) || field < 1)
      throw new RangeError(`protobuf field numbers start at 1, received ${field}`);
    this.push(encodeVarint(field * 8 + wireType));
  }

  private push(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
}

/**
 * Base-128 varint; negative values as their 64-bit two's complement.
 *
 * @example
 * ```ts
 * encodeVarint(300); // Uint8Array [0xac, 0x02]
 * ```
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new RangeError(`a varint needs a safe integer, received ${value}`);
  }
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(bytes);
}
