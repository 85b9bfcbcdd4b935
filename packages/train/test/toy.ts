import type { ImageDataset } from '@convkit/data';
import { BatchNorm, Conv2d, Dense, Dropout, Flatten, MaxPool2d, sequential } from '@convkit/layers';

/**
 * A task with a known answer: 8×8 gray images whose left half (class 0) or
 * right half (class 1) is bright, plus seeded noise. A small CNN learns it
 * in a few epochs.
 */
export function halves(count: number, seed = 1): ImageDataset {
  let state = seed;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const images = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    labels[n] = label;
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const bright = x < 4 === (label === 0);
        images[n * 64 + y * 8 + x] = Math.round((bright ? 160 : 40) + random() * 90);
      }
    }
  }
  return { images, labels, count, height: 8, width: 8, channels: 1, classes: 2 };
}

/** Convolution, batch norm (non-trainable statistics), pooling, dropout and a dense layer: every kind of state a checkpoint must keep. */
export function smallCnn() {
  return sequential(
    [
      new Conv2d({ name: 'conv', filters: 4, kernel: 3, padding: 'same' }),
      new BatchNorm({ name: 'bn' }),
      new MaxPool2d({ name: 'pool', kernel: 2 }),
      new Flatten(),
      new Dropout({ name: 'drop', rate: 0.3 }),
      new Dense({ name: 'fc', units: 2 }),
    ],
    { name: 'small' },
  );
}
