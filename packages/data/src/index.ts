export type { Batch, BatchOptions, Normalize } from './batches.js';
export { batches, mulberry32, shuffledIndices, subset, trainValidationSplit } from './batches.js';
export type { ImageDataset } from './dataset.js';
export { FormatError } from './errors.js';
export type { Idx, IdxImages, IdxLabels, ParseIdxOptions } from './idx.js';
export { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzip, parseIdx } from './idx.js';
export type { FashionMnistOptions, MnistOptions, Split } from './mnist.js';
export { FASHION_MNIST_DIR, loadFashionMnist, loadIdxPair, loadMnist, mnistDataDir } from './mnist.js';
export { gunzip, readIdx } from './node.js';
