// MaxPoolGrad for the wasm backend. The stock kernel routes the gradient
// wrongly when a window's maximum is negative (37 of 144 elements of an
// all-negative 12×12 input). This one follows tfjs-cpu exactly: each window's
// gradient goes to the first position (row-major within the window) holding
// its maximum, padding never wins, and a window of only -Infinity/NaN passes
// nothing. It runs in JS directly on the wasm heap, in one pass over the windows.
// The common 2×2 stride-2 unpadded pool (LeNet, VGG) has its own loop: its
// windows do not overlap, so it writes every dx element once (no zero fill, no
// read-modify-write) and compares the four values unrolled, in the same order.
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
} from '@tensorflow/tfjs-core';
import { asWasm, heapF32, requireInput } from './heap.js';

const maxPoolGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const dy = requireInput(inputs, 'dy', MaxPoolGrad);
  const input = requireInput(inputs, 'input', MaxPoolGrad);
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as MaxPoolGradAttrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = wasm.makeOutput(input.shape, 'float32');
  // Views after the last allocation: makeOutput can grow (and detach) the heap.
  const x = heapF32(wasm, input);
  const dyValues = heapF32(wasm, dy);
  const dxValues = heapF32(wasm, dx);
  if (isTiled2x2(info)) {
    // Rows or columns no window covers (odd sizes) receive nothing.
    if (info.inHeight !== 2 * info.outHeight || info.inWidth !== 2 * info.outWidth) dxValues.fill(0);
    routeTiled2x2(x, dyValues, dxValues, info);
  } else {
    dxValues.fill(0);
    routeToMaxima(x, dyValues, dxValues, info);
  }
  return dx;
};

/** 2×2 windows at stride 2, no padding, no dilation: each input element is in at most one window. */
export function isTiled2x2(info: backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth
  );
}

/**
 * {@link routeToMaxima} for tiled 2×2 windows: writes all four dx elements of
 * each window (dy at the first maximum in row-major order, zero elsewhere).
 */
function routeTiled2x2(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const rowStep = inWidth * c;
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const top = (b * inHeight + 2 * yR) * rowStep;
      for (let yC = 0; yC < outWidth; yC++) {
        const a0 = top + 2 * yC * c;
        const a2 = a0 + rowStep;
        for (let d = 0; d < c; d++, out++) {
          const i0 = a0 + d;
          const i1 = i0 + c;
          const i2 = a2 + d;
          const i3 = i2 + c;
          // Strict comparisons from −∞, as in routeToMaxima: ties keep the earlier position, NaN never wins.
          let best = Number.NEGATIVE_INFINITY;
          let where = -1;
          const v0 = x[i0] as number;
          if (v0 > best) {
            best = v0;
            where = i0;
          }
          const v1 = x[i1] as number;
          if (v1 > best) {
            best = v1;
            where = i1;
          }
          const v2 = x[i2] as number;
          if (v2 > best) {
            best = v2;
            where = i2;
          }
          if ((x[i3] as number) > best) where = i3;
          dx[i0] = 0;
          dx[i1] = 0;
          dx[i2] = 0;
          dx[i3] = 0;
          if (where >= 0) dx[where] = dy[out] as number;
        }
      }
    }
  }
}

/** Adds each window's dy to the first position holding the window's maximum (dx starts at zero). */
function routeToMaxima(x: Float32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight, effectiveFilterWidth, dilationHeight, dilationWidth } =
    info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rowCorner = yR * strideHeight - top;
      let rowStart = rowCorner;
      while (rowStart < 0) rowStart += dilationHeight;
      const rowEnd = Math.min(inHeight, rowCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const colCorner = yC * strideWidth - left;
        let colStart = colCorner;
        while (colStart < 0) colStart += dilationWidth;
        const colEnd = Math.min(inWidth, colCorner + effectiveFilterWidth);
        const out = ((b * outHeight + yR) * outWidth + yC) * c;
        for (let d = 0; d < c; d++) {
          let best = Number.NEGATIVE_INFINITY;
          let where = -1;
          for (let xR = rowStart; xR < rowEnd; xR += dilationHeight) {
            const rowBase = (b * inHeight + xR) * inWidth;
            for (let xC = colStart; xC < colEnd; xC += dilationWidth) {
              const at = (rowBase + xC) * c + d;
              const value = x[at] as number;
              // Strict: on ties the first position in the window keeps the gradient.
              if (value > best) {
                best = value;
                where = at;
              }
            }
          }
          if (where >= 0) dx[where] = (dx[where] as number) + (dy[out + d] as number);
        }
      }
    }
  }
}

/** MaxPoolGrad on the wasm backend, matching tfjs-cpu (including all-negative windows and padding). */
export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad,
};
