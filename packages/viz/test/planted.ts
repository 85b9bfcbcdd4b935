import { Conv2d, type Layer, MaxPool2d, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/** Where a vertical bar (3 rows × 1 column, in a cleared 3×3 window) was planted: the window's top-left. */
export interface Plant {
  example: number;
  row: number;
  col: number;
  value: number;
}

/**
 * A toy dataset with a known answer: `count` gray `size × size` images of
 * seeded noise (0–30) and a bright vertical bar planted in some of them.
 */
export function plantedDataset(count: number, size: number, plants: readonly Plant[]) {
  let seed = 12345;
  const images = new Uint8Array(count * size * size);
  for (let i = 0; i < images.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    images[i] = Math.floor((seed / 2 ** 31) * 31);
  }
  for (const { example, row, col, value } of plants) {
    for (let y = row; y < row + 3; y++) {
      for (let x = col; x < col + 3; x++) {
        if (y < 0 || x < 0 || y >= size || x >= size) continue;
        images[example * size * size + y * size + x] = x === col + 1 ? value : 0;
      }
    }
  }
  return { images, count, height: size, width: size, channels: 1 };
}

/** The matched filter of the bar: +1 on the middle column, −½ on the sides (zero mean), HWIO [3, 3, 1, 1]. */
export const BAR_KERNEL = [-0.5, 1, -0.5, -0.5, 1, -0.5, -0.5, 1, -0.5];

/** A hand-set detector of the bar (`detector`, valid or same padding), optionally followed by a 2×2 max pool (`pool`). */
export function barDetector(size: number, { pool = false, padding = 0 as 0 | 'same' } = {}): Layer {
  const layers: Layer[] = [new Conv2d({ filters: 1, kernel: 3, padding, activation: 'relu', name: 'detector' })];
  if (pool) layers.push(new MaxPool2d({ kernel: 2, name: 'pool' }));
  const model = sequential(layers, { name: 'toy' });
  model.build([size, size, 1], { seed: 1 });
  tf.tidy(() =>
    model.setWeights({ 'detector/kernel': tf.tensor4d(BAR_KERNEL, [3, 3, 1, 1]), 'detector/bias': tf.zeros([1]) }),
  );
  return model;
}
