import { thrown } from '@convkit/vitest-config/thrown';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { decodeSafetensors, MAX_TENSORS } from './safetensors.js';

/** A file from the header's JSON text as written (JSON.stringify could not write a duplicate key). */
function fromText(json: string, data: number[] = []): Uint8Array {
  const text = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const u8 = (n: number, at = 0) => `{"dtype":"U8","shape":[${n}],"data_offsets":[${at},${at + n}]}`;

describe('a safetensors header with a key twice', () => {
  it.each([
    [
      'the same tensor twice, with different shapes',
      `{"a":${u8(1)},"a":${u8(2)}}`,
      [0, 0],
      /key "a" appears twice at the top level/,
    ],
    ['a key spelled once plainly, once escaped', `{"a":${u8(2)},"\\u0061":${u8(2)}}`, [0, 0], /key "a" appears twice/],
    [
      '__metadata__ twice',
      `{"__metadata__":{"epoch":"1"},"a":${u8(1)},"__metadata__":{"epoch":"9"}}`,
      [0],
      /key "__metadata__" appears twice at the top level/,
    ],
    [
      'a field twice inside a tensor',
      `{"a":{"dtype":"U8","shape":[1],"dtype":"F32","data_offsets":[0,1]}}`,
      [0],
      /key "dtype" appears twice in "a"/,
    ],
    ['a metadata key twice', `{"__metadata__":{"k":"1","k":"2"}}`, [], /key "k" appears twice in "__metadata__"/],
  ])('is refused, naming the file and the key: %s', (_, json, data, message) => {
    const error = thrown(FormatError, () => decodeSafetensors(fromText(json, data), 'dup.safetensors'));
    expect(error.file).toBe('dup.safetensors');
    expect(error.message).toMatch(/^dup\.safetensors at byte \d+: /);
    expect(error.message).toMatch(message);
  });

  it('names the byte where the second one starts', () => {
    const json = `{"a":${u8(1)},"a":${u8(1)}}`;
    const error = thrown(FormatError, () => decodeSafetensors(fromText(json, [0]), 'dup.safetensors'));
    expect(error.offset).toBe(8 + json.lastIndexOf('"a"'));
  });

  it('the same field names in different tensors, and keys inside strings, are not duplicates', () => {
    const json = `{"__metadata__":{"note":"\\"a\\":1,\\"a\\":2"},"a":${u8(1)},"b":${u8(1, 1)}}`;
    const { tensors, metadata } = decodeSafetensors(fromText(json, [5, 6]), 'ok.safetensors');
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect(metadata.note).toBe('"a":1,"a":2');
  });

  it('a key named __proto__ stays a plain tensor name and pollutes nothing', () => {
    const { tensors } = decodeSafetensors(fromText(`{"__proto__":${u8(1)}}`, [3]), 'proto.safetensors');
    expect([...tensors.keys()]).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined();
  });
});

describe('the tensor count limit', () => {
  /**
   * `count` empty tensors, as the 59 MB header had: one entry's bytes
   * repeated, each with its own zero-padded number, so building it stays cheap.
   */
  function emptyTensors(count: number): Uint8Array {
    const digits = String(count).length;
    const entry = new TextEncoder().encode(
      `"t${'0'.repeat(digits)}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},`,
    );
    const size = 2 + count * entry.length - 1;
    const out = new Uint8Array(8 + size);
    new DataView(out.buffer).setBigUint64(0, BigInt(size), true);
    out[8] = 0x7b;
    for (let i = 0; i < count; i++) {
      const at = 9 + i * entry.length;
      out.set(entry, at);
      for (let d = digits, n = i; d >= 1; d--, n = Math.floor(n / 10)) out[at + 1 + d] = 0x30 + (n % 10);
    }
    out[out.length - 1] = 0x7d; // over the last entry's comma
    return out;
  }

  it(`a header of 10⁶ tensors is refused early, naming the limit (${MAX_TENSORS}), the count and the option`, () => {
    const bytes = emptyTensors(1_000_000);
    expect(bytes.length).toBeGreaterThan(50e6);
    const before = process.memoryUsage().rss;
    const start = performance.now();
    const error = thrown(FormatError, () => decodeSafetensors(bytes, 'many.safetensors'));
    const seconds = (performance.now() - start) / 1000;
    // maxRSS is the process's peak so far: the difference bounds what decoding added.
    const added = process.resourceUsage().maxRSS * 1024 - before;
    expect(error.message).toMatch(/^many\.safetensors at byte 8: /);
    expect(error.message).toContain(`1000000 tensors, more than the limit of ${MAX_TENSORS}`);
    expect(error.message).toContain('maxTensors');
    // The bound (it took 11.6 s and 1.6 GB); generous for a busy two-core machine.
    expect(seconds).toBeLessThan(3);
    expect(added).toBeLessThan(300e6);
  });

  it('maxTensors lowers or raises the limit', () => {
    const bytes = emptyTensors(3);
    expect(() => decodeSafetensors(bytes, 'three.safetensors', { maxTensors: 2 })).toThrow(
      /3 tensors, more than the limit of 2 \(maxTensors\)/,
    );
    expect(decodeSafetensors(bytes, 'three.safetensors', { maxTensors: 3 }).tensors.size).toBe(3);
  });

  it('__metadata__ is not a tensor', () => {
    const bytes = fromText(`{"__metadata__":{"a":"b"},"t":${u8(1)}}`, [1]);
    expect(decodeSafetensors(bytes, 'one.safetensors', { maxTensors: 1 }).tensors.size).toBe(1);
  });
});
