import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { thrown } from '@convkit/vitest-config/thrown';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { readIdx } from './node.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => i * 10);
const imagesFile = encodeIdx(pixels, [3, 2, 4]);
const labelsFile = encodeIdx(Uint8Array.of(7, 0, 9), [3]);

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('parseIdx', () => {
  it('reads uint8 images [n, rows, cols] from a file the test wrote', () => {
    const idx = readIdx(write('images-idx3-ubyte', imagesFile));
    expect(idx.kind).toBe('images');
    expect(idx.shape).toEqual([3, 2, 4]);
    expect(Array.from(idx.data)).toEqual(Array.from(pixels));
  });

  it('reads uint8 labels [n]', () => {
    const idx = readIdx(write('labels-idx1-ubyte', labelsFile));
    expect(idx).toMatchObject({ kind: 'labels', count: 3, shape: [3] });
    expect(Array.from(idx.data)).toEqual([7, 0, 9]);
  });

  it('reads gzipped files (1f 8b) the same', () => {
    const images = readIdx(write('images-idx3-ubyte.gz', gzipSync(imagesFile)));
    const labels = readIdx(write('labels-idx1-ubyte.gz', gzipSync(labelsFile)));
    expect(images.shape).toEqual([3, 2, 4]);
    expect(Array.from(images.data)).toEqual(Array.from(pixels));
    expect(Array.from(labels.data)).toEqual([7, 0, 9]);
  });

  it('without a gunzip (the browser-safe parser alone) refuses gzip by name', () => {
    const error = thrown(FormatError, () => parseIdx(gzipSync(labelsFile), 'labels.gz'));
    expect(error).toMatchObject({ file: 'labels.gz', offset: 0 });
    expect(error.message).toContain('gzipped');
  });

  it('an empty image set is valid', () => {
    expect(parseIdx(encodeIdx(new Uint8Array(0), [0, 28, 28]), 'empty').shape).toEqual([0, 28, 28]);
  });
});

describe('malformed files throw FormatError naming the file, the byte offset and the values', () => {
  const cases: [string, Uint8Array, number, RegExp][] = [
    ['bad magic: not IDX', Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0), 0, /bad magic number 0x504b0304.*0x00000803/],
    ['bad magic: float32 elements', Uint8Array.of(0, 0, 0x0d, 3, 0, 0, 0, 0), 0, /0x00000d03.*element type 0x0d/],
    ['bad magic: 2 dimensions', Uint8Array.of(0, 0, 8, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0), 0, /0x00000802.*2 dimensions/],
    ['shorter than a magic number', Uint8Array.of(0, 0), 2, /truncated: 2 bytes/],
    ['truncated header', imagesFile.slice(0, 10), 10, /truncated header: 10 bytes.*needs 16/],
    ['zero rows', encodeIdx(new Uint8Array(0), [3, 0, 4]), 8, /rows is 0/],
    [
      'truncated data',
      imagesFile.slice(0, imagesFile.length - 5),
      35,
      /truncated: the header says \[3, 2, 4\] = 24 bytes.*has 35/,
    ],
    [
      'size mismatch: extra bytes',
      Uint8Array.from([...labelsFile, 1, 2]),
      11,
      /size mismatch.*\[3\] = 11 bytes.*has 13 \(2 extra\)/,
    ],
    ['corrupt gzip', Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3), 0, /gzip data is corrupt/],
  ];

  it.each(cases)('%s', (_, bytes, offset, message) => {
    const file = write(`bad-${offset}-${bytes.length}`, bytes);
    const error = thrown(FormatError, () => readIdx(file));
    expect(error.file).toBe(file);
    expect(error.offset).toBe(offset);
    expect(error.message).toContain(file);
    expect(error.message).toContain(`at byte ${offset}`);
    expect(error.message).toMatch(message);
  });

  it('errors inside a gzipped file name the file too', () => {
    const file = write('short.gz', gzipSync(imagesFile.slice(0, 20)));
    expect(thrown(FormatError, () => readIdx(file))).toMatchObject({ file, offset: 20 });
  });
});
