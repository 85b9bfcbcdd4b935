// What convkit's SIMD convolution kernels (wasm-kernels/conv2d-*.c) share on
// the JS side: the window arguments every one of them takes, and the size of
// the zero-padded image each works in, from which their scratch is sized.
import type { backend_util } from '@tensorflow/tfjs-core';

/** `n` rounded up to a multiple of 4 (floats per SIMD vector). */
export function up4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** Height and width of the padded image every window of the convolution reads or writes: (O − 1)·s + K. */
export function paddedExtent(info: backend_util.Conv2DInfo): [number, number] {
  return [
    (info.outHeight - 1) * info.strideHeight + info.filterHeight,
    (info.outWidth - 1) * info.strideWidth + info.filterWidth,
  ];
}

/** The arguments that follow the sizes in every convolution kernel: KH, KW, stride h, stride w, pad top, pad left. */
export function windowArgs(info: backend_util.Conv2DInfo): number[] {
  const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return [filterHeight, filterWidth, strideHeight, strideWidth, padInfo.top, padInfo.left];
}

/**
 * The parts a batch of `n` images splits into over `threads` threads (never more parts than
 * images): [first image, image count] each, in order, sizes differing by one at most.
 */
export function batchParts(n: number, threads: number): [number, number][] {
  const parts = Math.max(1, Math.min(threads, n));
  return Array.from({ length: parts }, (_, i) => {
    const first = Math.floor((i * n) / parts);
    return [first, Math.floor(((i + 1) * n) / parts) - first];
  });
}

/** Bytes of one part's scratch in a split call: a kernel's `bytes` rounded up to a cache line. */
export function partScratchBytes(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}
