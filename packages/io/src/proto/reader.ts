import { FormatError } from '../errors.js';

/**
 * A protobuf wire-format reader for untrusted bytes. Every length is checked
 * against the bytes left before anything is sliced, and slices are views:
 * reading never allocates more than the input holds, and a malformed input
 * throws `FormatError` with the file and the absolute byte offset.
 */

/** A field's value as the wire carries it: a varint, 4 or 8 fixed bytes, or a length-delimited run. */
export type WireValue =
  | { wire: 0; value: bigint }
  | { wire: 1 | 5; bytes: Uint8Array }
  | { wire: 2; bytes: Uint8Array };

/** One field of a message: its number, its value and where the value starts in the file. */
export interface WireField {
  field: number;
  value: WireValue;
  /** Absolute byte offset of the value (after the key and, for wire type 2, the length). */
  offset: number;
}

/** Where a message's bytes sit: the file's name and the offset of their first byte. */
export interface WireSource {
  file: string;
  offset: number;
}

const MAX_VARINT_BYTES = 10;

/**
 * Reads one varint at `p.i`, advancing it. More than ten bytes, or running
 * off the end, is a `FormatError`.
 *
 * @example
 * ```ts
 * readVarint(Uint8Array.of(0xac, 0x02), { i: 0 }, { file: 'x', offset: 0 }); // 300n
 * ```
 */
export function readVarint(bytes: Uint8Array, p: { i: number }, source: WireSource): bigint {
  let value = 0n;
  for (let k = 0; k < MAX_VARINT_BYTES; k++) {
    if (p.i >= bytes.length)
      throw new FormatError(source.file, source.offset + p.i, 'the message ends inside a varint');
    const byte = bytes[p.i++] as number;
    value |= BigInt(byte & 0x7f) << BigInt(7 * k);
    if (byte < 0x80) return BigInt.asUintN(64, value);
  }
  throw new FormatError(source.file, source.offset + p.i - MAX_VARINT_BYTES, 'a varint longer than 10 bytes');
}

/**
 * The fields of one message, in order, without a schema.
 *
 * @example
 * ```ts
 * const fields = readFields(bytes, { file: 'model.onnx', offset: 0 });
 * const graph = fields.find((f) => f.field === 7);
 * ```
 */
export function readFields(bytes: Uint8Array, source: WireSource): WireField[] {
  const fields: WireField[] = [];
  const p = { i: 0 };
  while (p.i < bytes.length) {
    const at = p.i;
    const key = readSmallVarint(bytes, p) ?? readVarint(bytes, p, source);
    const field = typeof key === 'number' ? Math.floor(key / 8) : Number(key >> 3n);
    const wire = typeof key === 'number' ? key % 8 : Number(key & 7n);
    if (field < 1 || field > 0x1fffffff) {
      throw new FormatError(
        source.file,
        source.offset + at,
        `field number ${field} (key ${key}) is not in 1 … 2^29 − 1`,
      );
    }
    if (wire === 0) {
      const offset = source.offset + p.i;
      fields.push({ field, value: { wire, value: readVarint(bytes, p, source) }, offset });
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      checkRoom(bytes, p.i, size, field, source);
      fields.push({ field, value: { wire, bytes: bytes.subarray(p.i, p.i + size) }, offset: source.offset + p.i });
      p.i += size;
    } else if (wire === 2) {
      const length = readSmallVarint(bytes, p) ?? readVarint(bytes, p, source);
      if (length > bytes.length - p.i) {
        throw new FormatError(
          source.file,
          source.offset + at,
          `field ${field} declares ${length} bytes, only ${bytes.length - p.i} are left in its message`,
        );
      }
      const size = Number(length);
      fields.push({ field, value: { wire, bytes: bytes.subarray(p.i, p.i + size) }, offset: source.offset + p.i });
      p.i += size;
    } else {
      throw new FormatError(
        source.file,
        source.offset + at,
        `field ${field} has wire type ${wire}; only 0 (varint), 1 (64-bit), 2 (length-delimited) and 5 (32-bit) are read`,
      );
    }
  }
  return fields;
}

/**
 * A varint of at most 7 bytes (below 2^49) as a number, advancing `p.i`; else
 * `undefined` with `p.i` unchanged, for `readVarint` to read or report. Keys
 * and lengths take this path: no BigInt per field.
 */
function readSmallVarint(bytes: Uint8Array, p: { i: number }): number | undefined {
  let value = 0;
  let scale = 1;
  for (let k = 0; k < 7 && p.i + k < bytes.length; k++) {
    const byte = bytes[p.i + k] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      p.i += k + 1;
      return value;
    }
    scale *= 128;
  }
  return undefined;
}

/**
 * How many length-delimited fields of each number in `numbers` a message
 * holds (`counts`), and how many fields of any kind (`total`), found by
 * walking its bytes without decoding or allocating anything: the cheap look
 * that lets a reader refuse a huge message before building it. The walk
 * stops at the first malformed byte (`readFields` reports it).
 */
export function countFields(bytes: Uint8Array, numbers: readonly number[]): { counts: number[]; total: number } {
  const counts = numbers.map(() => 0);
  let total = 0;
  const p = { i: 0 };
  while (p.i < bytes.length) {
    const key = readSmallVarint(bytes, p);
    if (key === undefined) break;
    const wire = key % 8;
    if (wire === 0) {
      while (p.i < bytes.length && (bytes[p.i++] as number) >= 0x80);
    } else if (wire === 1 || wire === 5) p.i += wire === 1 ? 8 : 4;
    else if (wire === 2) {
      const length = readSmallVarint(bytes, p);
      if (length === undefined) break;
      p.i += length;
      const k = numbers.indexOf(Math.floor(key / 8));
      if (k >= 0 && p.i <= bytes.length) counts[k] = (counts[k] as number) + 1;
    } else break;
    if (p.i > bytes.length) break;
    total++;
  }
  return { counts, total };
}

function checkRoom(bytes: Uint8Array, at: number, size: number, field: number, source: WireSource): void {
  if (at + size > bytes.length) {
    throw new FormatError(
      source.file,
      source.offset + at,
      `field ${field} needs ${size} bytes, only ${bytes.length - at} are left in its message`,
    );
  }
}

/** The length-delimited payloads of one field number, each with its source for nested reads. */
export function submessages(fields: readonly WireField[], field: number, file: string): [Uint8Array, WireSource][] {
  return fields.flatMap((f) =>
    f.field === field && f.value.wire === 2
      ? [[f.value.bytes, { file, offset: f.offset }] as [Uint8Array, WireSource]]
      : [],
  );
}

/** The fields of the nested messages of one field number. */
export function messages(fields: readonly WireField[], field: number, file: string): WireField[][] {
  return submessages(fields, field, file).map(([bytes, source]) => readFields(bytes, source));
}

// One decoder for every string: constructing one per call was most of the cost of decoding a large graph.
const decoder = new TextDecoder();

/** A string field's values (UTF-8; invalid sequences become U+FFFD). */
export function strings(fields: readonly WireField[], field: number): string[] {
  return fields.flatMap((f) => (f.field === field && f.value.wire === 2 ? [decoder.decode(f.value.bytes)] : []));
}

/** The last value of a string field, or `fallback` (proto2: the last one wins). */
export function stringOf(fields: readonly WireField[], field: number, fallback = ''): string {
  return strings(fields, field).at(-1) ?? fallback;
}

/**
 * Repeated integers, packed (one length-delimited run of varints) or not,
 * as signed 64-bit values narrowed to numbers. A value beyond ±2^53 is a
 * `FormatError`: no ONNX size or attribute needs more.
 */
export function integers(fields: readonly WireField[], field: number, file: string): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.value.wire === 0) out.push(toNumber(f.value.value, file, f.offset));
    else if (f.value.wire === 2) {
      const p = { i: 0 };
      const source = { file, offset: f.offset };
      while (p.i < f.value.bytes.length) {
        const at = f.offset + p.i;
        out.push(toNumber(readVarint(f.value.bytes, p, source), file, at));
      }
    }
  }
  return out;
}

/** The last value of an integer field, or `fallback`. */
export function integerOf(fields: readonly WireField[], field: number, file: string, fallback = 0): number {
  return integers(fields, field, file).at(-1) ?? fallback;
}

/** Repeated 32-bit floats, packed or not. */
export function floats(fields: readonly WireField[], field: number, file: string): number[] {
  const out: number[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.value.wire === 5) out.push(view(f.value.bytes).getFloat32(0, true));
    else if (f.value.wire === 2) {
      if (f.value.bytes.length % 4 !== 0) {
        throw new FormatError(file, f.offset, `packed floats of ${f.value.bytes.length} bytes, not a multiple of 4`);
      }
      const v = view(f.value.bytes);
      for (let k = 0; k + 4 <= f.value.bytes.length; k += 4) out.push(v.getFloat32(k, true));
    }
  }
  return out;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toNumber(value: bigint, file: string, offset: number): number {
  const signed = BigInt.asIntN(64, value);
  if (signed > BigInt(Number.MAX_SAFE_INTEGER) || signed < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new FormatError(file, offset, `integer ${signed} is beyond ±2^53`);
  }
  return Number(signed);
}
