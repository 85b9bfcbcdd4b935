import { thrown } from '@convkit/vitest-config/thrown';
import { describe, expect, it } from 'vitest';
import { FormatError } from './errors.js';
import { encodeIdx, parseIdx } from './idx.js';
import { datasetFromIdx } from './idx-dataset.js';

// Two 2×3 images (pixels 0…11) and their labels, written by hand.
const images = parseIdx(
  encodeIdx(
    Uint8Array.from({ length: 12 }, (_, i) => i),
    [2, 2, 3],
  ),
  'img',
);
const labels = parseIdx(encodeIdx(Uint8Array.of(7, 3), [2]), 'lbl');

describe('datasetFromIdx', () => {
  it('pairs images and labels as one grey data set of ten classes', () => {
    const data = datasetFromIdx(images, labels, 'img', 'lbl');
    expect({ ...data, images: Array.from(data.images), labels: Array.from(data.labels) }).toEqual({
      images: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      labels: [7, 3],
      count: 2,
      height: 2,
      width: 3,
      channels: 1,
      classes: 10,
    });
  });

  it('names the file that holds the wrong kind', () => {
    expect(thrown(FormatError, () => datasetFromIdx(labels, labels, 'a', 'b'))).toMatchObject({ file: 'a', offset: 0 });
    expect(thrown(FormatError, () => datasetFromIdx(images, images, 'a', 'b'))).toMatchObject({ file: 'b', offset: 0 });
  });

  it('names the labels file when the counts differ, and the byte of a label outside 0–9', () => {
    const three = parseIdx(encodeIdx(Uint8Array.of(1, 2, 3), [3]), 'lbl');
    const counts = thrown(FormatError, () => datasetFromIdx(images, three, 'img', 'lbl'));
    expect(counts).toMatchObject({ file: 'lbl', offset: 4 });
    expect(counts.message).toMatch(/3 labels for 2 images in img/);
    const ten = parseIdx(encodeIdx(Uint8Array.of(4, 10), [2]), 'lbl');
    const label = thrown(FormatError, () => datasetFromIdx(images, ten, 'img', 'lbl'));
    expect(label).toMatchObject({ file: 'lbl', offset: 9 });
    expect(label.message).toMatch(/label 10 of example 1 is not a class 0–9/);
  });
});
