import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Batch, batches } from './batches.js';
import { FormatError } from './errors.js';
import { loadImageFolder, openImageFolder } from './folder.js';
import { streamBatches } from './stream.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** Writes `files` (path relative to a new folder → bytes) and returns the folder. */
function folder(files: Record<string, Uint8Array | string>): string {
  const root = mkdtempSync(join(tmpdir(), 'convkit-folder-'));
  for (const [path, bytes] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), bytes);
  }
  return root;
}

/** A 2×3 RGB PNG whose every pixel is `[r, g, b]`. */
const solid = (r: number, g: number, b: number, height = 2, width = 3) =>
  encodePng({
    width,
    height,
    channels: 3,
    data: new Uint8Array(height * width * 3).map((_, i) => [r, g, b][i % 3] as number),
  });

/** The layout most tests use: two classes, a nested folder, a stray text file, a hidden file. */
function zoo() {
  return folder({
    'dog/b.png': solid(0, 0, 200),
    'dog/a.png': solid(0, 0, 100),
    'cat/x.png': solid(10, 20, 30),
    'cat/more/y.png': solid(40, 50, 60),
    'cat/notes.txt': 'not an image',
    'cat/.hidden.png': 'macOS junk',
    'README.md': 'the root is not a class',
  });
}

async function plain(b: Batch) {
  const out = { x: Array.from(await b.x.data()), y: Array.from(await b.y.data()), indices: Array.from(b.indices) };
  b.x.dispose();
  b.y.dispose();
  return out;
}

describe('loadImageFolder', () => {
  it('one class per sub-folder, in sorted order, files sorted within, nested folders included', () => {
    const root = zoo();
    const data = loadImageFolder(root);
    expect(data).toMatchObject({ count: 4, height: 2, width: 3, channels: 3, classes: 2, classNames: ['cat', 'dog'] });
    expect(data.files).toEqual(['cat/x.png', 'cat/more/y.png', 'dog/a.png', 'dog/b.png'].map((f) => join(root, f)));
    expect(Array.from(data.labels)).toEqual([0, 0, 1, 1]);
    const firstPixel = (i: number) => Array.from(data.images.subarray(i * 18, i * 18 + 3));
    expect([0, 1, 2, 3].map(firstPixel)).toEqual([
      [10, 20, 30],
      [40, 50, 60],
      [0, 0, 100],
      [0, 0, 200],
    ]);
  });

  it('resizes other sizes (antialiased bilinear, hand-computed) and converts to grey', () => {
    // A 2×4 grey image, both rows 0 10 20 30, shrunk to 1×2: (0·0.75 + 10·0.75 + 20·0.25)/1.75 = 7.14 → 7, and 22.86 → 23.
    const ramp = encodePng({ width: 4, height: 2, channels: 1, data: Uint8Array.of(0, 10, 20, 30, 0, 10, 20, 30) });
    const root = folder({ 'a/ramp.png': ramp, 'b/red.png': solid(255, 0, 0, 3, 3) });
    const data = loadImageFolder(root, { size: [1, 2], channels: 1 });
    expect(data).toMatchObject({ height: 1, width: 2, channels: 1 });
    expect(Array.from(data.images)).toEqual([7, 23, 76, 76]);
    // Without a size, the first image's size (2×4) holds; the 3×3 red one is stretched to it.
    const rgb = loadImageFolder(root);
    expect(rgb).toMatchObject({ height: 2, width: 4, channels: 3 });
    expect(Array.from(rgb.images.subarray(24, 27))).toEqual([255, 0, 0]);
  });

  it('decodes JPEGs too', () => {
    const data = new Uint8Array(8 * 8 * 4).fill(180);
    const root = folder({ 'only/one.jpg': jpeg.encode({ width: 8, height: 8, data }, 95).data });
    const loaded = loadImageFolder(root);
    expect(loaded).toMatchObject({ height: 8, width: 8, count: 1, classNames: ['only'] });
    for (const v of loaded.images) expect(Math.abs(v - 180)).toBeLessThanOrEqual(2);
  });

  it('corrupt and unsupported files throw FormatError naming the file', () => {
    const corrupt = folder({ 'a/good.png': solid(1, 2, 3), 'a/bad.png': solid(1, 2, 3).subarray(0, 30) });
    expect(() => loadImageFolder(corrupt)).toThrow(FormatError);
    expect(() => loadImageFolder(corrupt)).toThrow(`${join(corrupt, 'a', 'bad.png')} at byte 0: corrupt PNG`);
    const bmp = folder({ 'a/old.bmp': 'BM\x00\x00' });
    expect(() => loadImageFolder(bmp)).toThrow(`${join(bmp, 'a', 'old.bmp')} at byte 0: not a PNG`);
  });

  it('an empty folder or an empty class folder is an error that says what to do', () => {
    const empty = folder({ 'stray.png': solid(1, 1, 1) });
    expect(() => loadImageFolder(empty)).toThrow(`image folder ${empty} has no class sub-folders`);
    const hollow = folder({ 'a/x.png': solid(1, 1, 1), 'b/readme.txt': 'no images here' });
    expect(() => loadImageFolder(hollow)).toThrow(`class folder ${join(hollow, 'b')} holds no images`);
    expect(() => loadImageFolder(hollow, { size: [0, 2] })).toThrow(
      'size must be [height, width], two positive integers; got [0,2]',
    );
  });
});

describe('openImageFolder', () => {
  it('decodes lazily and reads what loadImageFolder holds', async () => {
    const root = zoo();
    const source = await openImageFolder(root, { size: [4, 4] });
    const memory = loadImageFolder(root, { size: [4, 4] });
    expect(source).toMatchObject({
      count: 4,
      height: 4,
      width: 4,
      channels: 3,
      classes: 2,
      classNames: ['cat', 'dog'],
    });
    const { images, labels } = await source.read([3, 0]);
    expect(Array.from(labels)).toEqual([1, 0]);
    expect(Array.from(images)).toEqual([...memory.images.subarray(3 * 48, 4 * 48), ...memory.images.subarray(0, 48)]);
    const options = { batchSize: 3, seed: 1, augment: { flip: true } };
    const streamed = [];
    for await (const b of streamBatches(source, options)) streamed.push(await plain(b));
    expect(streamed).toEqual(await Promise.all([...batches(memory, options)].map(plain)));
  });

  it('takes the first image’s size when none is given, and reports a corrupt file when it is read', async () => {
    const root = folder({ 'a/1.png': solid(5, 5, 5, 3, 5), 'b/2.png': 'broken' });
    const source = await openImageFolder(root);
    expect([source.height, source.width]).toEqual([3, 5]);
    await expect(source.read([1])).rejects.toThrow(`${join(root, 'b', '2.png')} at byte 0: not a PNG`);
  });
});
