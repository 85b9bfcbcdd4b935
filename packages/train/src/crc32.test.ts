import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

describe('crc32', () => {
  it('gives the check value of the CRC-32/ISO-HDLC catalogue and zlib’s result', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    let state = 7;
    for (const length of [1, 2, 3, 4, 5, 7, 8, 1000, 4099]) {
      const bytes = new Uint8Array(length).map(() => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state >>> 24;
      });
      expect(crc32(bytes), `length ${length}`).toBe(zlibCrc32(bytes));
    }
  });

  it('continues over several buffers', () => {
    const all = new TextEncoder().encode('convolutional networks');
    expect(crc32(all.subarray(7), crc32(all.subarray(0, 7)))).toBe(crc32(all));
  });
});
