import { FormatError } from './errors.js';

/** IDX magic numbers: two zero bytes, the element type (0x08 = uint8), the number of dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  kind: 'images';
  /** `count × rows × cols` bytes, row-major, one image after another. */
  data: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  shape: [number, number, number];
}

export interface IdxLabels {
  kind: 'labels';
  data: Uint8Array;
  count: number;
  shape: [number];
}

export type Idx = IdxImages | IdxLabels;

export interface ParseIdxOptions {
  /**
   * Decompresses a gzipped file (one starting 1f 8b). The parser itself has no
   * gzip: in Node `readIdx` passes `node:zlib`'s; in a browser pass e.g. fflate's.
   * The parser passes a `limit`: the size the IDX header declares. A gunzip
   * that honours it returns all the data when it fits, else a prefix longer
   * than `limit` without inflating the rest, which keeps a gzip bomb from
   * filling memory; one that ignores it inflates everything first.
   */
  gunzip?: (bytes: Uint8Array, limit?: number) => Uint8Array;
}

const hex = (value: number, digits = 8): string => `0x${value.toString(16).padStart(digits, '0')}`;

/** Whether the bytes start with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an IDX file of uint8 images (`0x00000803`, `[n, rows, cols]`) or
 * labels (`0x00000801`, `[n]`), as MNIST and Fashion-MNIST ship them.
 * Validates the magic number, the dimensions and that the size matches the
 * header; `file` names the file in errors. The returned `data` is a view of
 * `bytes` (or of the decompressed bytes), not a copy.
 */
export function parseIdx(bytes: Uint8Array, file: string, options: ParseIdxOptions = {}): Idx {
  if (isGzip(bytes)) return parseGzippedIdx(bytes, file, options.gunzip);
  const { kind, shape, headerSize } = parseIdxHeader(bytes, file, bytes.length);
  const count = shape[0];
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset + headerSize, bytes.length - headerSize);
  if (kind === 'images') {
    const [, rows, cols] = shape as [number, number, number];
    return { kind, data, count, rows, cols, shape: [count, rows, cols] };
  }
  return { kind, data, count, shape: [count] };
}

/** No IDX dataset comes near this; it is also the largest buffer Node can inflate into. */
const MAX_GZIPPED_IDX_BYTES = 2 ** 32;

/**
 * Inflates the 16-byte header first, then no more than the size it declares
 * (plus the gunzip's slack): a small file that declares [10, 28, 28] and
 * inflates to gigabytes is refused after about 8 KB.
 */
function parseGzippedIdx(bytes: Uint8Array, file: string, gunzip: ParseIdxOptions['gunzip']): Idx {
  if (!gunzip) {
    throw new FormatError(file, 0, 'gzipped (1f 8b) and no gunzip was given: pass { gunzip } or use readIdx in Node');
  }
  const inflate = (limit: number): Uint8Array => {
    try {
      return gunzip(bytes, limit);
    } catch (cause) {
      throw new FormatError(file, 0, `gzip data is corrupt: ${(cause as Error).message}`);
    }
  };
  const head = inflate(16);
  if (head.length <= 16) return parseIdx(head, file);
  // A header that is bad or truncated fails here with the same messages as an uncompressed file's.
  const { shape, size } = readIdxHeader(head, file, head.length);
  if (size > MAX_GZIPPED_IDX_BYTES) {
    throw new FormatError(
      file,
      4,
      `the header says [${shape.join(', ')}] = ${size} bytes in all, more than the ${MAX_GZIPPED_IDX_BYTES} (4 GiB) a gzipped IDX file is inflated to: a corrupt header`,
    );
  }
  const all = head.length > size ? head : inflate(size);
  if (all.length > size) {
    throw new FormatError(
      file,
      size,
      `the header says [${shape.join(', ')}] = ${size} bytes in all, the gzip inflates to more than ${size} (stopped after ${all.length}): a gzip bomb, or data after the ${shape.length === 3 ? 'images' : 'labels'}`,
    );
  }
  return parseIdx(all, file);
}

/** What an IDX header says: images (`[n, rows, cols]`) or labels (`[n]`), and where the data starts. */
export interface IdxHeader {
  kind: Idx['kind'];
  shape: [number] | [number, number, number];
  headerSize: number;
}

/**
 * Validates an IDX header against the size of its file: `header` holds the
 * file's first `min(fileSize, 16)` bytes or more. The checks and messages
 * `parseIdx` and the streaming `openIdxSource` share.
 */
export function parseIdxHeader(header: Uint8Array, file: string, fileSize: number): IdxHeader {
  const { kind, shape, headerSize, size: expected } = readIdxHeader(header, file, fileSize);
  if (fileSize !== expected) {
    const dims = `[${shape.join(', ')}]`;
    throw new FormatError(
      file,
      Math.min(fileSize, expected),
      fileSize < expected
        ? `truncated: the header says ${dims} = ${expected - headerSize} bytes of data (${expected} in all), the file has ${fileSize}`
        : `size mismatch: the header says ${dims} = ${expected} bytes in all, the file has ${fileSize} (${fileSize - expected} extra)`,
    );
  }
  return { kind, shape, headerSize };
}

/** The magic number and dimensions, checked, and the file size they declare (`size`, header included). */
function readIdxHeader(header: Uint8Array, file: string, fileSize: number): IdxHeader & { size: number } {
  if (fileSize < 4) {
    throw new FormatError(file, fileSize, `truncated: ${fileSize} bytes, an IDX header needs at least 4`);
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const magic = view.getUint32(0);
  if (magic !== IDX_IMAGES_MAGIC && magic !== IDX_LABELS_MAGIC) {
    const type = header[2] ?? 0;
    const why =
      magic >>> 16 !== 0
        ? 'not an IDX file (the first two bytes must be 0)'
        : type !== 0x08
          ? `element type ${hex(type, 2)} is not uint8 (0x08)`
          : `${header[3]} dimensions; only 1 (labels) and 3 (images) are supported`;
    throw new FormatError(
      file,
      0,
      `bad magic number ${hex(magic)}, expected ${hex(IDX_IMAGES_MAGIC)} (images) or ${hex(IDX_LABELS_MAGIC)} (labels): ${why}`,
    );
  }
  const rank = magic & 0xff;
  const headerSize = 4 + 4 * rank;
  if (fileSize < headerSize) {
    throw new FormatError(
      file,
      fileSize,
      `truncated header: ${fileSize} bytes, a rank-${rank} IDX header needs ${headerSize}`,
    );
  }
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const names = rank === 3 ? ['count', 'rows', 'cols'] : ['count'];
  for (let i = 1; i < rank; i++) {
    if (dims[i] === 0) throw new FormatError(file, 4 + 4 * i, `${names[i]} is 0; images need at least 1×1 pixels`);
  }
  const size = headerSize + dims.reduce((a, b) => a * b, 1);
  return rank === 3
    ? { kind: 'images', shape: dims as [number, number, number], headerSize, size }
    : { kind: 'labels', shape: dims as [number], headerSize, size };
}

/** Encodes uint8 images (`shape` `[n, rows, cols]`) or labels (`[n]`) as an uncompressed IDX file. */
export function encodeIdx(data: Uint8Array, shape: readonly [number] | readonly [number, number, number]): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) {
    throw new RangeError(`encodeIdx: shape [${shape.join(', ')}] needs ${size} bytes, got ${data.length}`);
  }
  const headerSize = 4 + 4 * shape.length;
  const out = new Uint8Array(headerSize + size);
  const view = new DataView(out.buffer);
  view.setUint32(0, shape.length === 3 ? IDX_IMAGES_MAGIC : IDX_LABELS_MAGIC);
  shape.forEach((dim, i) => {
    view.setUint32(4 + 4 * i, dim);
  });
  out.set(data, headerSize);
  return out;
}
