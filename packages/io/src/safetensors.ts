import { DTYPE_BYTES, type Dtype, decodeValues, dtypeOf, encodeValues, isDtype, type TensorData } from './dtypes.js';
import { FormatError } from './errors.js';
import { scanJsonKeys } from './json-keys.js';

/** One tensor's entry in a safetensors header; offsets are relative to the data section. */
export interface TensorInfo {
  dtype: Dtype;
  shape: number[];
  /** `[begin, end)` in bytes, from the first byte after the header. */
  offsets: [number, number];
}

/** A parsed, validated safetensors header. */
export interface SafetensorsHeader {
  /** Byte offset of the data section in the file: `8 + header length`. */
  dataStart: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** What `encodeSafetensors` takes for each tensor: its values and shape. */
export interface TensorInput {
  data: TensorData;
  shape: readonly number[];
}

/** A decoded tensor: its entry and its values widened as in `decodeValues`. */
export interface DecodedTensor extends TensorInfo {
  values: TensorData;
}

/** The format's own cap (safetensors rejects larger headers); it bounds what a hostile file can make us parse. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * The most tensors a header may list unless `maxTensors` says otherwise. Real
 * checkpoints hold hundreds to a few thousand; a header of 10⁶ empty tensors
 * fits in 59 MB yet costs seconds and gigabytes to turn into objects.
 */
export const MAX_TENSORS = 100_000;

/** Options of {@link parseHeader} and {@link decodeSafetensors}. */
export interface SafetensorsReadOptions {
  /** The most tensors the header may list (default {@link MAX_TENSORS}); counted before the JSON is parsed. */
  maxTensors?: number;
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Reads the 8-byte length prefix and the JSON header, and checks every entry
 * against the file size: known dtype, non-negative integer shape, offsets that
 * agree with shape × dtype size, and tensors that tile the data section with
 * no gap or overlap. `fileSize` is the whole file's size in bytes. A key
 * that appears twice in one object (a tensor, `__metadata__`, a field) and
 * more than `maxTensors` tensors are refused before the JSON is parsed.
 */
export function parseHeader(
  prefix: Uint8Array,
  fileSize: number,
  file: string,
  { maxTensors = MAX_TENSORS }: SafetensorsReadOptions = {},
): SafetensorsHeader {
  if (prefix.byteLength < 8 || fileSize < 8) {
    throw new FormatError(
      file,
      0,
      `a safetensors file starts with an 8-byte header length; the file has ${fileSize} bytes`,
    );
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const length = Number(view.getBigUint64(0, true));
  if (length > MAX_HEADER_BYTES || 8 + length > fileSize) {
    throw new FormatError(file, 0, `header length ${length} does not fit a ${fileSize}-byte file`);
  }
  if (prefix.byteLength < 8 + length) {
    throw new RangeError(`parseHeader needs the first ${8 + length} bytes of ${file}, got ${prefix.byteLength}`);
  }
  const header = prefix.subarray(8, 8 + length);
  // Counted and checked on the bytes: JSON.parse would build every entry first, and keeps the last of equal keys.
  const { count, duplicate } = scanJsonKeys(header, { maxKeys: maxTensors, uncounted: '__metadata__' });
  if (count > maxTensors) {
    throw new FormatError(
      file,
      8,
      `the header lists ${count} tensors, more than the limit of ${maxTensors} (maxTensors); pass a larger { maxTensors } if the file is trusted`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(header));
  } catch (error) {
    throw new FormatError(file, 8, `the header is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (duplicate) {
    const where = duplicate.parent === undefined ? 'at the top level' : `in ${JSON.stringify(duplicate.parent)}`;
    throw new FormatError(
      file,
      8 + duplicate.index,
      `key ${JSON.stringify(duplicate.key)} appears twice ${where} of the header; readers disagree on which one counts, so the file is refused`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FormatError(file, 8, 'the header is not a JSON object');
  }
  const dataStart = 8 + length;
  const dataBytes = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(json)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, file);
      continue;
    }
    tensors.set(name, parseEntry(name, entry, dataBytes, file));
  }
  checkTiling(tensors, dataBytes, dataStart, file);
  return { dataStart, tensors, metadata };
}

function parseMetadata(entry: unknown, file: string): Record<string, string> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new FormatError(file, 8, '__metadata__ must be an object of strings');
  }
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'string') {
      throw new FormatError(file, 8, `__metadata__.${key} must be a string, got ${JSON.stringify(value)}`);
    }
  }
  return { ...(entry as Record<string, string>) };
}

function parseEntry(name: string, entry: unknown, dataBytes: number, file: string): TensorInfo {
  const where = `tensor ${JSON.stringify(name)}`;
  if (typeof entry !== 'object' || entry === null) throw new FormatError(file, 8, `${where} is not an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isDtype(dtype)) throw new FormatError(file, 8, `${where} has unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError(file, 8, `${where} has shape ${JSON.stringify(shape)}; expected non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1] ||
    offsets[1] > dataBytes
  ) {
    throw new FormatError(
      file,
      8,
      `${where} has data_offsets ${JSON.stringify(offsets)}; expected [begin, end] within the ${dataBytes}-byte data section`,
    );
  }
  const expected = product(shape) * DTYPE_BYTES[dtype];
  if (offsets[1] - offsets[0] !== expected) {
    throw new FormatError(
      file,
      8,
      `${where} (${dtype} ${JSON.stringify(shape)}) needs ${expected} bytes, data_offsets ${JSON.stringify(offsets)} give ${offsets[1] - offsets[0]}`,
    );
  }
  return { dtype, shape: [...shape], offsets: [offsets[0], offsets[1]] };
}

/** The format requires the tensors to cover the data section exactly: no holes, no overlaps. */
function checkTiling(tensors: Map<string, TensorInfo>, dataBytes: number, dataStart: number, file: string): void {
  const sorted = [...tensors.entries()].sort(
    (a, b) => a[1].offsets[0] - b[1].offsets[0] || a[1].offsets[1] - b[1].offsets[1],
  );
  let end = 0;
  for (const [name, info] of sorted) {
    if (info.offsets[0] !== end) {
      const problem = info.offsets[0] < end ? 'overlaps the tensor before it' : `leaves a gap after byte ${end}`;
      throw new FormatError(file, dataStart + info.offsets[0], `tensor ${JSON.stringify(name)} ${problem}`);
    }
    end = info.offsets[1];
  }
  if (end !== dataBytes) {
    throw new FormatError(file, dataStart + end, `the tensors end at byte ${end} of a ${dataBytes}-byte data section`);
  }
}

/**
 * A safetensors file's bytes: tensors in the order given, little-endian,
 * `__metadata__` when given.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors({ w: { data: new Float32Array([1, 2]), shape: [2] } }, { epoch: '3' });
 * decodeSafetensors(bytes).tensors.get('w')?.values; // Float32Array [1, 2]
 * ```
 */
export function encodeSafetensors(tensors: Record<string, TensorInput>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, { data, shape }] of Object.entries(tensors)) {
    if (product(shape) !== data.length) {
      throw new RangeError(
        `tensor ${JSON.stringify(name)}: shape ${JSON.stringify(shape)} holds ${product(shape)} values, data has ${data.length}`,
      );
    }
    const bytes = encodeValues(data);
    header[name] = { dtype: dtypeOf(data), shape: [...shape], data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad the header with spaces to 8 bytes so the data section is aligned, as the reference writer does.
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const spaced = new Uint8Array(padded).fill(0x20);
    spaced.set(json);
    json = spaced;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const bytes of payloads) {
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}

/**
 * Parses and validates a whole safetensors file held in memory. A header that
 * lists more than `maxTensors` tensors, or a key twice, is a `FormatError`.
 *
 * @example
 * ```ts
 * const { tensors, metadata } = decodeSafetensors(bytes, 'model.safetensors');
 * ```
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  file = '<safetensors>',
  options: SafetensorsReadOptions = {},
): { tensors: Map<string, DecodedTensor>; metadata: Record<string, string> } {
  const header = parseHeader(bytes, bytes.byteLength, file, options);
  const tensors = new Map<string, DecodedTensor>();
  for (const [name, info] of header.tensors) {
    const [begin, end] = info.offsets;
    tensors.set(name, {
      ...info,
      values: decodeValues(info.dtype, bytes.subarray(header.dataStart + begin, header.dataStart + end)),
    });
  }
  return { tensors, metadata: header.metadata };
}
