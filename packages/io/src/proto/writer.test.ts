import { readFields, submessages, varints } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import { encodeVarint, ProtoMessage } from './writer.js';

describe('encodeVarint', () => {
  it('writes base-128 little-endian groups (protobuf docs: 1 and 300)', () => {
    expect([...encodeVarint(0)]).toEqual([0]);
    expect([...encodeVarint(1)]).toEqual([1]);
    expect([...encodeVarint(300)]).toEqual([0xac, 0x02]);
  });

  it('writes a negative int64 as ten bytes of two’s complement', () => {
    expect([...encodeVarint(-1)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  });

  it('refuses numbers that are not safe integers', () => {
    expect(() => encodeVarint(1.5)).toThrow(/safe integer/);
  });
});

describe('ProtoMessage', () => {
  it('serializes fields in order, nested messages length-prefixed', () => {
    const inner = new ProtoMessage().varint(1, 150);
    const bytes = new ProtoMessage().string(2, 'testing').message(3, inner).finish();
    // The protobuf encoding guide's examples: field 2 "testing", field 3 {1: 150}.
    expect([...bytes]).toEqual([0x12, 0x07, ...new TextEncoder().encode('testing'), 0x1a, 0x03, 0x08, 0x96, 0x01]);
  });

  it('reads back through an independent field walker', () => {
    const raw = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const nested = new ProtoMessage().bytes(9, raw).varint(2, 1);
    const message = new ProtoMessage().varint(1, 7).message(7, nested).float(4, 0.5);
    const bytes = message.finish();
    expect(bytes.length).toBe(message.length);
    const fields = readFields(bytes);
    expect(varints(fields, 1)).toEqual([7n]);
    const [graph] = submessages(fields, 7);
    expect(graph).toBeDefined();
    expect([...(submessages(readFields(graph ?? new Uint8Array()), 9)[0] ?? [])]).toEqual([...raw]);
    const float = fields.find((f) => f.field === 4)?.value;
    expect(float?.wire).toBe(5);
    if (float?.wire === 5)
      expect(new DataView(float.bytes.buffer, float.bytes.byteOffset).getFloat32(0, true)).toBe(0.5);
  });

  it('rejects field number 0', () => {
    expect(() => new ProtoMessage().varint(0, 1)).toThrow(/field numbers start at 1/);
  });
});
