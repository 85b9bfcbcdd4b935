import { describe, expect, it } from 'vitest';
import { FormatError } from '../errors.js';
import { countFields, readFields } from './reader.js';
import { ProtoMessage } from './writer.js';

describe('countFields', () => {
  it('counts the length-delimited fields of each number, as readFields finds them', () => {
    const bytes = new ProtoMessage()
      .string(1, 'a')
      .varint(1, -1) // ten bytes, not length-delimited: not counted
      .float(5, 1.5)
      .message(1, new ProtoMessage().string(1, 'nested, not counted'))
      .string(5, 'b')
      .varint(2, 2 ** 40)
      .finish();
    const fields = readFields(bytes, { file: 'x', offset: 0 });
    const expected = [1, 5, 2].map((n) => fields.filter((f) => f.field === n && f.value.wire === 2).length);
    expect(countFields(bytes, [1, 5, 2])).toEqual({ counts: expected, total: fields.length });
    expect(expected).toEqual([2, 1, 0]);
  });

  it('stops at a malformed byte, which readFields then reports', () => {
    const bytes = Uint8Array.from([...new ProtoMessage().string(1, 'a').finish(), 0x0a, 0x7f]);
    expect(countFields(bytes, [1])).toEqual({ counts: [1], total: 1 });
    expect(() => readFields(bytes, { file: 'x', offset: 0 })).toThrow(FormatError);
  });
});
