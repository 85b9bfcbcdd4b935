import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test/random.js';
import { FormatError } from './errors.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';

const seedFile = encodeSafetensors(
  {
    'conv1.weight': { data: Float32Array.from({ length: 54 }, (_, i) => i / 7), shape: [3, 3, 2, 3] },
    'conv1.bias': { data: new Float32Array([1, 2, 3]), shape: [3] },
    steps: { data: new Int32Array([12]), shape: [] },
  },
  { epoch: '2' },
);

/** Byte flips, truncation, extension, and edits inside the JSON text (digits and brackets are where parsers break). */
function mutate(random: () => number): Uint8Array {
  const bytes = seedFile.slice();
  const kind = Math.floor(random() * 5);
  if (kind === 0) return bytes.subarray(0, Math.floor(random() * bytes.length));
  if (kind === 1) {
    const longer = new Uint8Array(bytes.length + 1 + Math.floor(random() * 64));
    longer.set(bytes);
    return longer;
  }
  const headerEnd = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const edits = 1 + Math.floor(random() * 4);
  for (let e = 0; e < edits; e++) {
    const inHeader = kind >= 3;
    const at = inHeader ? 8 + Math.floor(random() * (headerEnd - 8)) : Math.floor(random() * bytes.length);
    const alphabet = '0123456789[]{}",:-e.9';
    bytes[at] =
      inHeader && random() < 0.7
        ? alphabet.charCodeAt(Math.floor(random() * alphabet.length))
        : Math.floor(random() * 256);
  }
  return bytes;
}

describe('safetensors fuzz', () => {
  it('10,000 mutated files: each decodes within its size or throws FormatError, nothing else', () => {
    const random = mulberry32(2024);
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const bytes = mutate(random);
      try {
        const { tensors } = decodeSafetensors(bytes, `fuzz-${i}`);
        let decoded = 0;
        for (const t of tensors.values()) decoded += t.values.length;
        // A value is at least one byte: what was decoded cannot exceed what the file holds.
        expect(decoded, `iteration ${i}`).toBeLessThanOrEqual(bytes.length);
      } catch (error) {
        if (!(error instanceof FormatError)) throw new Error(`iteration ${i}: ${String(error)}`);
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(5_000);
  });
});
