/**
 * The browser-safe entry: everything in `@convkit/data` that does not import
 * `node:*` modules. The Node entry (`index.ts`) exports all of this too, plus
 * the file loaders and file-backed sources.
 */

// The workspace's one seeded generator is @convkit/shape's; data re-exports it so it stays in data's API.
export { mulberry32 } from '@convkit/shape';
export type { AugmentOptions } from './augment.js';
export { augmentExample, augmentedShape } from './augment.js';
export type { Batch, BatchOptions, Normalize } from './batches.js';
export { batches, shuffledIndices, subset, trainValidationSplit } from './batches.js';
export type { CifarVariant } from './cifar.js';
export { concatDatasets, parseCifar } from './cifar.js';
export type { ColorBasis } from './color-basis.js';
export { colorBasis, IMAGENET_COLOR_BASIS, symmetricEigen3 } from './color-basis.js';
export type { ImageDataset } from './dataset.js';
export type { DecodedImage, DecodeImageOptions } from './decode.js';
export { decodeImage } from './decode.js';
export { FormatError } from './errors.js';
export type { Idx, IdxHeader, IdxImages, IdxLabels, ParseIdxOptions } from './idx.js';
export { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, isGzip, parseIdx, parseIdxHeader } from './idx.js';
export { datasetFromIdx } from './idx-dataset.js';
export type { ResizeOptions } from './resize.js';
export { resizeBilinear } from './resize.js';
export type { DatasetSource, StreamOptions } from './stream.js';
export { asSource, streamBatches } from './stream.js';
