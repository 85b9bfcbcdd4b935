/**
 * A pass over the UTF-8 bytes of JSON text that sees what `JSON.parse` hides or pays for:
 * `JSON.parse` keeps the last of two equal keys without a word, and builds
 * every object of a huge header before anyone can count them. The scan
 * allocates only the keys it compares, and at the outermost level no more
 * than `maxKeys + 1` of them.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** A key that appears twice in one object. */
export interface DuplicateKey {
  key: string;
  /** The key of the object holding it (the nearest keyed object for one inside an array); `undefined` at the top level. */
  parent: string | undefined;
  /** Byte index of the second occurrence's opening quote. */
  index: number;
}

/** What {@link scanJsonKeys} found. */
export interface JsonKeyScan {
  /** Keys of the outermost object, except `uncounted`. */
  count: number;
  /** The first key repeated within one object, at any depth. */
  duplicate: DuplicateKey | undefined;
}

interface Frame {
  object: boolean;
  /** The keys seen so far; `undefined` in an array, or once the outermost count has passed the limit. */
  keys: Set<string> | undefined;
  name: string | undefined;
  last: string | undefined;
}

const decoder = new TextDecoder();

/** A key's value, escapes decoded, so that `"a"` and `"\u0061"` compare equal. */
function keyAt(bytes: Uint8Array, start: number, end: number, ascii: boolean, escaped: boolean): string {
  // Most keys are short ASCII: building the string directly is much cheaper than a decoder call.
  if (ascii && !escaped && end - start <= 256) {
    return String.fromCharCode.apply(null, bytes.subarray(start + 1, end) as unknown as number[]);
  }
  if (!escaped) return decoder.decode(bytes.subarray(start + 1, end));
  const quoted = decoder.decode(bytes.subarray(start, end + 1));
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted; // Malformed: JSON.parse of the whole text will say so.
  }
}

/**
 * The outermost object's keys from `start` on (inside it, after a key):
 * the lean loop for a text already past the limit, which only counts.
 */
function countOutermostKeys(bytes: Uint8Array, start: number, skipped: Uint8Array | undefined): number {
  let count = 0;
  let depth = 1;
  let expectKey = false;
  for (let i = start; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      while (j < bytes.length && bytes[j] !== QUOTE) {
        if (bytes[j] === BACKSLASH) {
          escaped = true;
          j++;
        }
        j++;
      }
      if (expectKey && depth === 1) {
        const skip =
          skipped &&
          (escaped ? keyAt(bytes, i, j, false, true) === decoder.decode(skipped) : same(bytes, i + 1, j, skipped));
        if (!skip) count++;
      }
      expectKey = false;
      i = j;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      expectKey = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = depth === 1;
    }
  }
  return count;
}

/** Whether `bytes[start, end)` are `expected`. */
function same(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
  if (end - start !== expected.length) return false;
  for (let k = 0; k < expected.length; k++) if (bytes[start + k] !== expected[k]) return false;
  return true;
}

/**
 * Counts the outermost object's keys and finds the first repeated key. Meant
 * to run before `JSON.parse`: on malformed text it still ends, and what it
 * reports matters only once the text parses.
 *
 * @example
 * ```ts
 * scanJsonKeys(new TextEncoder().encode('{"a":1,"b":{"c":2,"c":3}}')); // { count: 2, duplicate: { key: 'c', parent: 'b', index: 18 } }
 * ```
 */
export function scanJsonKeys(
  bytes: Uint8Array,
  { maxKeys = Number.POSITIVE_INFINITY, uncounted }: { maxKeys?: number; uncounted?: string } = {},
): JsonKeyScan {
  // One frame per depth, reused: a header of 10⁶ entries opens 3·10⁶ objects and arrays.
  const stack: Frame[] = [];
  let depth = 0;
  let expectKey = false;
  let count = 0;
  let duplicate: DuplicateKey | undefined;
  const skipped = uncounted === undefined ? undefined : new TextEncoder().encode(uncounted);
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i] as number;
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      let high = 0;
      while (j < bytes.length) {
        const d = bytes[j] as number;
        if (d === QUOTE) break;
        high |= d;
        if (d === BACKSLASH) {
          escaped = true;
          j++;
        }
        j++;
      }
      const frame = depth > 0 ? stack[depth - 1] : undefined;
      if (expectKey && frame?.object) {
        expectKey = false;
        // Past the limit the caller refuses the text: only the count matters, so keys are no longer kept.
        const tracking = frame.keys !== undefined && !duplicate && count <= maxKeys;
        const key = tracking || (depth === 1 && escaped) ? keyAt(bytes, i, j, high < 0x80, escaped) : undefined;
        if (depth === 1) {
          const skip = key !== undefined ? key === uncounted : skipped !== undefined && same(bytes, i + 1, j, skipped);
          if (!skip) count++;
          if (count > maxKeys && (stack[0] as Frame).object) {
            return { count: count + countOutermostKeys(bytes, j + 1, skipped), duplicate };
          }
        }
        if (tracking && key !== undefined && frame.keys) {
          frame.last = key;
          if (frame.keys.has(key)) duplicate = { key, parent: frame.name, index: i };
          else frame.keys.add(key);
        }
      }
      i = j;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const parent = depth > 0 ? stack[depth - 1] : undefined;
      const object = c === OPEN_OBJECT;
      const tracking = !duplicate && count <= maxKeys;
      const frame = stack[depth] ?? { object, keys: undefined, name: undefined, last: undefined };
      frame.object = object;
      frame.keys = object && tracking ? new Set() : undefined;
      frame.name = parent?.object ? parent.last : parent?.name;
      frame.last = undefined;
      stack[depth++] = frame;
      expectKey = object;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth > 0) depth--;
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = depth > 0 && (stack[depth - 1] as Frame).object;
    } else if (c === COLON) {
      expectKey = false;
    }
  }
  return { count, duplicate };
}
