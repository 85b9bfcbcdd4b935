import type { ImageDataset } from './dataset.js';
import { FormatError } from './errors.js';
import type { Idx } from './idx.js';

function expectKind<K extends Idx['kind']>(idx: Idx, kind: K, file: string): Extract<Idx, { kind: K }> {
  if (idx.kind !== kind) throw new FormatError(file, 0, `holds ${idx.kind}, expected ${kind}`);
  return idx as Extract<Idx, { kind: K }>;
}

/**
 * An MNIST-style data set (grey images, classes 0–9) from a parsed IDX images
 * file and its labels file, checking that they agree: one holds images, the
 * other labels, the counts match and every label is a class 0–9. The file names
 * only go into the FormatError. No I/O, so it runs in a browser too: fetch and
 * `parseIdx` there; in Node `loadIdxPair` reads the files and calls this.
 *
 * @example
 * ```ts
 * const train = datasetFromIdx(parseIdx(imageBytes, 'train-images'), parseIdx(labelBytes, 'train-labels'),
 *   'train-images', 'train-labels');
 * ```
 */
export function datasetFromIdx(images: Idx, labels: Idx, imagesFile: string, labelsFile: string): ImageDataset {
  const pixels = expectKind(images, 'images', imagesFile);
  const classes = expectKind(labels, 'labels', labelsFile);
  if (pixels.count !== classes.count) {
    throw new FormatError(
      labelsFile,
      4,
      `${classes.count} labels for ${pixels.count} images in ${imagesFile}; the counts must match`,
    );
  }
  const bad = classes.data.findIndex((label) => label >= 10);
  if (bad >= 0) {
    throw new FormatError(labelsFile, 8 + bad, `label ${classes.data[bad]} of example ${bad} is not a class 0–9`);
  }
  return {
    images: pixels.data,
    labels: classes.data,
    count: pixels.count,
    height: pixels.rows,
    width: pixels.cols,
    channels: 1,
    classes: 10,
  };
}
