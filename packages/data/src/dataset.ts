/** Image classification data held as bytes, as MNIST and CIFAR ship it. */
export interface ImageDataset {
  /** `count × height × width × channels` bytes, 0–255, NHWC. */
  images: Uint8Array;
  /** `count` class indices, `0 … classes − 1`. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 for MNIST, 3 (RGB) for CIFAR. */
  channels: number;
  /** 10 for MNIST and CIFAR-10, 100 (or 20 coarse) for CIFAR-100. */
  classes: number;
}
