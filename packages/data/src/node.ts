import { constants as bufferConstants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import { type Idx, parseIdx } from './idx.js';

// How far past its limit one inflation may run: more than one input byte can
// add (deflate's best ratio is about 1032:1) plus zlib's 16 KiB output chunk.
const SLACK = 64 * 1024;

const asBytes = (out: Buffer): Uint8Array => new Uint8Array(out.buffer, out.byteOffset, out.byteLength);

/** The inflated prefix of `bytes[0, end)`, or `undefined` when it passes `max` bytes (inflation stops there). */
function inflatePrefix(bytes: Uint8Array, end: number, max: number): Uint8Array | undefined {
  try {
    // Z_SYNC_FLUSH: a cut gzip gives what it has inflated so far instead of an error.
    return asBytes(gunzipSync(bytes.subarray(0, end), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: max }));
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw error;
  }
}

/**
 * Node only: gunzip with node:zlib. With a `limit`, inflation stops soon after
 * `limit` bytes: the result is all the data when it fits, else a prefix of
 * more than `limit` bytes (so a gzip bomb costs memory for its first `limit`
 * bytes only). Node's zlib cannot pause an inflation, so a prefix is found by
 * inflating growing, then halving, cuts of the compressed bytes, each stopped
 * at `limit` plus a little.
 */
export function gunzip(bytes: Uint8Array, limit = Number.POSITIVE_INFINITY): Uint8Array {
  if (!Number.isFinite(limit)) return asBytes(gunzipSync(bytes));
  // zlib refuses a maxOutputLength past the largest Buffer; no result could be longer anyway.
  const wanted = Math.min(Math.max(0, Math.floor(limit)) + 1, bufferConstants.MAX_LENGTH);
  const max = Math.min(wanted + SLACK, bufferConstants.MAX_LENGTH);
  try {
    return asBytes(gunzipSync(bytes, { maxOutputLength: wanted }));
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw error;
  }
  // The whole file passes the limit. Find a cut whose output lies in [wanted, max]:
  // `low` inflates to less than `wanted`, `high` (once found) to more than `max`.
  let low = 0;
  let high: number | undefined;
  let end = Math.min(bytes.length, 64);
  for (;;) {
    const out = inflatePrefix(bytes, end, max);
    if (out && out.length >= wanted) return out;
    if (out) low = end;
    else high = end;
    end = high === undefined ? Math.min(bytes.length, end * 4) : Math.floor((low + high) / 2);
    if (end <= low) throw new Error(`gunzip: no cut of ${bytes.length} bytes inflates to ${wanted}…${max} bytes`);
  }
}

/** Node only: reads and parses an IDX file, gzipped or not; a gzip is inflated no further than its header declares. */
export function readIdx(path: string): Idx {
  const bytes = readFileSync(path);
  return parseIdx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, { gunzip });
}
