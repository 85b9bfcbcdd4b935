import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

/** A file built by hand, byte by byte, as the format's README describes it. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('decodes a hand-made file: F32 little-endian, I32, metadata', () => {
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0; int32 7 = 07 00 00 00
    const bytes = handMade(
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'I32', shape: [1, 1], data_offsets: [8, 12] },
      },
      [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 7, 0, 0, 0],
    );
    const { tensors, metadata } = decodeSafetensors(bytes, 'hand.safetensors');
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(tensors.get('a')?.values ?? [])).toEqual([1, -2]);
    expect(tensors.get('b')?.shape).toEqual([1, 1]);
    expect(Array.from(tensors.get('b')?.values ?? [])).toEqual([7]);
  });

  it('widens F16 and BF16 to float32', () => {
    // F16 0x3c00 = 1, 0xc000 = -2; BF16 0x3f80 = 1, 0x4040 = 3
    const bytes = handMade(
      { h: { dtype: 'F16', shape: [2], data_offsets: [0, 4] }, g: { dtype: 'BF16', shape: [2], data_offsets: [4, 8] } },
      [0x00, 0x3c, 0x00, 0xc0, 0x80, 0x3f, 0x40, 0x40],
    );
    const { tensors } = decodeSafetensors(bytes);
    expect(Array.from(tensors.get('h')?.values ?? [])).toEqual([1, -2]);
    expect(Array.from(tensors.get('g')?.values ?? [])).toEqual([1, 3]);
  });

  it('round-trips every writable dtype, with an 8-byte aligned data section', () => {
    const input = {
      f32: { data: new Float32Array([0.5, -1.25, 3e-8]), shape: [3] },
      f64: { data: new Float64Array([Math.PI]), shape: [1, 1] },
      i32: { data: new Int32Array([-5, 2 ** 30]), shape: [2] },
      u8: { data: new Uint8Array([0, 255, 7]), shape: [3] },
      empty: { data: new Float32Array(0), shape: [0, 4] },
    };
    const bytes = encodeSafetensors(input, { epoch: '3' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const { tensors, metadata } = decodeSafetensors(bytes);
    expect(metadata).toEqual({ epoch: '3' });
    for (const [name, { data, shape }] of Object.entries(input)) {
      expect(tensors.get(name)?.shape).toEqual(shape);
      expect(Array.from(tensors.get(name)?.values ?? [])).toEqual(Array.from(data));
    }
  });

  it('rejects shape/data disagreement when writing', () => {
    expect(() => encodeSafetensors({ w: { data: new Float32Array(3), shape: [2, 2] } })).toThrow(
      /"w".*\[2,2\] holds 4 values, data has 3/,
    );
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['too short', new Uint8Array(5), /8-byte header length; the file has 5 bytes/],
    ['header past the end', handMade({}, []).map((b, i) => (i === 0 ? 200 : b)), /header length 200 does not fit/],
    ['unknown dtype', handMade({ a: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, [0]), /unknown dtype "Q7"/],
    ['negative shape', handMade({ a: { dtype: 'U8', shape: [-1], data_offsets: [0, 1] } }, [0]), /shape \[-1\]/],
    [
      'size disagreement',
      handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      /needs 8 bytes/,
    ],
    [
      'offset past data',
      handMade({ a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] } }, [0]),
      /within the 1-byte data section/,
    ],
    ['gap', handMade({ a: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } }, [0, 0]), /leaves a gap after byte 0/],
    [
      'overlap',
      handMade(
        { a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] }, b: { dtype: 'U8', shape: [1], data_offsets: [1, 2] } },
        [0, 0],
      ),
      /overlaps/,
    ],
    [
      'trailing bytes',
      handMade({ a: { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, [0, 9]),
      /end at byte 1 of a 2-byte data section/,
    ],
    [
      'not json',
      (() => {
        const b = handMade({}, []);
        b[8] = 0x7b;
        b[9] = 0x7b;
        return b;
      })(),
      /not UTF-8 JSON/,
    ],
    ['array header', handMade([] as unknown as object, []), /not a JSON object/],
    ['bad metadata', handMade({ __metadata__: { a: 1 } }, []), /__metadata__.a must be a string/],
  ];
  it.each(bad)('throws FormatError naming the file: %s', (_, bytes, message) => {
    let error: unknown;
    try {
      decodeSafetensors(bytes, 'bad.safetensors');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FormatError);
    expect((error as FormatError).message).toMatch(/^bad\.safetensors at byte \d+: /);
    expect((error as FormatError).message).toMatch(message);
  });
});
