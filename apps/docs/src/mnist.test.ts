import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMnist } from './digit.js';
import { digitAt, head, loadMnistSubset } from './mnist.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docs-mnist-'));
  // The build script's own writer, into a temporary folder.
  const { writeMnistSubset } = await import('../scripts/prepare.mjs');
  writeMnistSubset(join(dir, 'mnist'));
}, 60_000); // gzip -9 of 10,000 digits: seconds on a loaded machine

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the bundled MNIST subset', () => {
  it('holds 10,000 training and 500 test digits that @convkit/data parses', async () => {
    const data = await loadMnistSubset((path) => readFile(join(dir, path)).then((b) => new Uint8Array(b)));
    expect(data.train.count).toBe(10000);
    expect(data.test.count).toBe(500);
    expect([data.train.height, data.train.width, data.train.channels]).toEqual([28, 28, 1]);
    // MNIST's first training labels, as every copy of the data set has them.
    expect(Array.from(data.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(data.test.labels.subarray(0, 3))).toEqual([7, 2, 1]);
    expect(head(data.train, 10).count).toBe(10);
    expect(digitAt(data.test, 0).length).toBe(784);
  });
});

describe('a drawn digit made MNIST-like', () => {
  it('centres a stroke in 28×28 at 20 pixels tall', () => {
    const w = 280;
    const ink = new Uint8Array(w * w);
    for (let y = 40; y < 240; y++) for (let x = 20; x < 40; x++) ink[y * w + x] = 255; // a vertical bar, off-centre
    const digit = toMnist(ink, w, w) as Float32Array;
    const rows = Array.from({ length: 28 }, (_, y) => digit.subarray(y * 28, (y + 1) * 28).some((v) => v > 64));
    expect(rows.filter(Boolean).length).toBeGreaterThanOrEqual(19);
    const cols = Array.from({ length: 28 }, (_, x) => rows.some((_, y) => (digit[y * 28 + x] as number) > 64));
    const centre = cols.reduce((s, on, x) => s + (on ? x : 0), 0) / cols.filter(Boolean).length;
    expect(Math.abs(centre - 13.5)).toBeLessThan(1.5);
  });

  it('is undefined for a blank drawing', () => {
    expect(toMnist(new Uint8Array(100), 10, 10)).toBeUndefined();
  });
});
