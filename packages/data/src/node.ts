import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { type Idx, parseIdx } from './idx.js';

/** Node only: gunzip with node:zlib. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  const out = gunzipSync(bytes);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Node only: reads and parses an IDX file, gzipped or not. */
export function readIdx(path: string): Idx {
  const bytes = readFileSync(path);
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, { gunzip });
}
