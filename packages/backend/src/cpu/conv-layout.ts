import type { backend_util } from '@tensorflow/tfjs-core';

// Moving data between an NHWC image and the "im2col" matrix of its
// convolution patches: row r is output pixel r (batch, row, column in that
// order), column (ky·filterWidth + kx)·inChannels + c is filter tap (ky, kx)
// at input channel c — the same order as an HWIO filter's rows, so that
// convolution becomes patches · filter, one matrix product.

type ConvInfo = backend_util.Conv2DInfo;

/**
 * Writes rows [rowStart, rowStart + rowCount) of the patch matrix of `x`
 * (NHWC) into `out`, zeros where a tap falls in the padding.
 */
export function im2col(x: Float32Array, info: ConvInfo, rowStart: number, rowCount: number, out: Float32Array): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const tapRow = filterWidth * inChannels;
  const pixelsPerImage = outHeight * outWidth;
  let dst = 0;
  for (let r = rowStart; r < rowStart + rowCount; r++) {
    const image = Math.floor(r / pixelsPerImage);
    const pixel = r - image * pixelsPerImage;
    const outRow = Math.floor(pixel / outWidth);
    const y0 = outRow * strideHeight - top;
    const x0 = (pixel - outRow * outWidth) * strideWidth - left;
    const imageOffset = image * inHeight * inWidth * inChannels;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = y0 + ky * dilationHeight;
      if (iy < 0 || iy >= inHeight) {
        for (let end = dst + tapRow; dst < end; dst++) out[dst] = 0;
        continue;
      }
      const rowOffset = imageOffset + iy * inWidth * inChannels;
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = x0 + kx * dilationWidth;
        if (ix < 0 || ix >= inWidth) {
          for (let end = dst + inChannels; dst < end; dst++) out[dst] = 0;
        } else {
          let src = rowOffset + ix * inChannels;
          for (let end = dst + inChannels; dst < end; dst++, src++) out[dst] = x[src] as number;
        }
      }
    }
  }
}

/**
 * The adjoint of {@link im2col}: adds each entry of the patch-matrix rows
 * [rowStart, rowStart + rowCount) in `patches` to the input pixel it was
 * copied from, in `dx` (NHWC). Taps in the padding are dropped.
 */
export function col2imAdd(
  patches: Float32Array,
  info: ConvInfo,
  rowStart: number,
  rowCount: number,
  dx: Float32Array,
): void {
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const tapRow = filterWidth * inChannels;
  const pixelsPerImage = outHeight * outWidth;
  let src = 0;
  for (let r = rowStart; r < rowStart + rowCount; r++) {
    const image = Math.floor(r / pixelsPerImage);
    const pixel = r - image * pixelsPerImage;
    const outRow = Math.floor(pixel / outWidth);
    const y0 = outRow * strideHeight - top;
    const x0 = (pixel - outRow * outWidth) * strideWidth - left;
    const imageOffset = image * inHeight * inWidth * inChannels;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = y0 + ky * dilationHeight;
      if (iy < 0 || iy >= inHeight) {
        src += tapRow;
        continue;
      }
      const rowOffset = imageOffset + iy * inWidth * inChannels;
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = x0 + kx * dilationWidth;
        if (ix < 0 || ix >= inWidth) {
          src += inChannels;
        } else {
          let dst = rowOffset + ix * inChannels;
          for (let end = src + inChannels; src < end; src++, dst++) {
            dx[dst] = (dx[dst] as number) + (patches[src] as number);
          }
        }
      }
    }
  }
}

/** NCHW → NHWC, for the channels-first data format (the kernels compute channels-last). */
export function toChannelsLast(values: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [batch, channels, height, width] = shape;
  const plane = height * width;
  const out = new Float32Array(values.length);
  for (let b = 0; b < batch; b++) {
    const base = b * channels * plane;
    for (let c = 0; c < channels; c++) {
      for (let p = 0, src = base + c * plane, dst = base + c; p < plane; p++, src++, dst += channels) {
        out[dst] = values[src] as number;
      }
    }
  }
  return out;
}

/** NHWC → NCHW: `shape` is the NCHW shape wanted. */
export function toChannelsFirst(values: Float32Array, shape: readonly [number, number, number, number]): Float32Array {
  const [batch, channels, height, width] = shape;
  const plane = height * width;
  const out = new Float32Array(values.length);
  for (let b = 0; b < batch; b++) {
    const base = b * channels * plane;
    for (let c = 0; c < channels; c++) {
      for (let p = 0, dst = base + c * plane, src = base + c; p < plane; p++, dst++, src += channels) {
        out[dst] = values[src] as number;
      }
    }
  }
  return out;
}
