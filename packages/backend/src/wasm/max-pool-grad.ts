// MaxPoolGrad for the wasm backend. The stock kernel routes the gradient
// wrongly when a window's maximum is negative (37 of 144 elements of an
// all-negative 12×12 input). This one follows tfjs-cpu exactly: each window's
// gradient goes to the first position (row-major within the window) holding
// its maximum, padding never wins, and a window of only -Infinity/NaN passes
// nothing. It runs in JS directly on the wasm heap, in one pass over the windows.
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
  dxValues.fill(0);
  routeToMaxima(x, dyValues, dxValues, info);
  return dx;
};

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
