/** Grayscale image classification data held as bytes, as MNIST ships it. */
export interface ImageDataset {
  /** `count × height × width × channels` bytes, 0–255, NHWC. */
  images: Uint8Array;
  /** `count` class indices, `0 … classes − 1`. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: 1;
  classes: 10;
}
