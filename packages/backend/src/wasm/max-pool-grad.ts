// MaxPoolGrad for the wasm backend. The stock kernel routes the gradient
// wrongly when a window's maximum is negative (37 of 144 elements of an
// all-negative 12×12 input). This one follows tfjs-cpu exactly: each window's
// gradient goes to the first position (row-major within the window) holding
// its maximum, padding never wins, and a window of only -Infinity/NaN passes
// nothing. It runs in JS directly on the wasm heap, in one pass over the windows.
// The common 2×2 stride-2 unpadded pool (LeNet, VGG) has its own loop: its
// windows do not overlap, so it writes every dx element once (no zero fill, no
// read-modify-write) and picks each window's first maximum without branches.
// Where convkit's SIMD kernels run, that loop is wasm-kernels/max-pool-grad.c,
// the same arithmetic on four channels at a time (LeNet-5's 64×28×28×6:
// 0.73 ms in JS, 0.20 ms there, medians); the JS loop stays where they do not run.
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  MaxPoolGrad,
  type MaxPoolGradAttrs,
} from '@tensorflow/tfjs-core';
import { asWasm, heapF32, requireInput } from './heap.js';
import { heapOffset, simdKernels } from './simd/module.js';

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
  const simd = simdKernels(wasm);
  if (simd && isTiled2x2(info)) {
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
    const offsets = [heapOffset(wasm, input), heapOffset(wasm, dy), heapOffset(wasm, dx)] as const;
    simd.fn('max_pool_grad_2x2')(...offsets, batchSize, inHeight, inWidth, inChannels, outHeight, outWidth);
    return dx;
  }
  // Views after the last allocation: makeOutput can grow (and detach) the heap.
  const x = heapF32(wasm, input);
  const dyValues = heapF32(wasm, dy);
  const dxValues = heapF32(wasm, dx);
  if (isTiled2x2(info)) {
    // Rows or columns no window covers (odd sizes) receive nothing.
    if (info.inHeight !== 2 * info.outHeight || info.inWidth !== 2 * info.outWidth) dxValues.fill(0);
    routeTiled2x2(new Int32Array(x.buffer, x.byteOffset, x.length), dyValues, dxValues, info);
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

/** {@link orderKey} of −Infinity, which NaN also gets: a window whose largest key is this passes nothing. */
const NEG_INFINITY_KEY = -2139095040;

/**
 * An int32 that orders float32 bit patterns as `>` orders the floats: sign-magnitude turned into
 * two's complement, −0 the same key as +0, NaN the key of −Infinity (it never wins a window).
 */
function orderKey(bits: number): number {
  const key = ((bits ^ ((bits >> 31) & 0x7fffffff)) + (bits >>> 31)) | 0;
  const nan = (0x7f800000 - (bits & 0x7fffffff)) >> 31; // −1 for NaN, else 0
  return key ^ ((key ^ NEG_INFINITY_KEY) & nan);
}

/**
 * {@link routeToMaxima} for tiled 2×2 windows: writes all four dx elements of
 * each window (dy at the first maximum in row-major order, zero elsewhere).
 * The maximum is chosen without branches, on integer keys of the values' bits
 * with masks: after ReLU most windows tie at 0 or hold a random maximum, and
 * the branches of a compare-and-keep loop mispredict (1.3 → 0.75 ms on
 * LeNet-5's 64×28×28×6, measured on the heap).
 */
function routeTiled2x2(bits: Int32Array, dy: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const rowStep = inWidth * c;
  let out = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const top = (b * inHeight + 2 * yR) * rowStep;
      for (let yC = 0; yC < outWidth; yC++) {
        const corner = top + 2 * yC * c;
        for (let d = 0; d < c; d++, out++) {
          const i0 = corner + d;
          const i1 = i0 + c;
          const i2 = i0 + rowStep;
          const i3 = i2 + c;
          const k0 = orderKey(bits[i0] as number);
          const k1 = orderKey(bits[i1] as number);
          const k2 = orderKey(bits[i2] as number);
          const k3 = orderKey(bits[i3] as number);
          // Strictly greater replaces (mask −1), so ties keep the earlier position.
          const s1 = -(k1 > k0);
          const m1 = k0 ^ ((k0 ^ k1) & s1);
          const p1 = s1 & 1;
          const s2 = -(k2 > m1);
          const m2 = m1 ^ ((m1 ^ k2) & s2);
          const p2 = p1 ^ ((p1 ^ 2) & s2);
          const s3 = -(k3 > m2);
          const m3 = m2 ^ ((m2 ^ k3) & s3);
          const p3 = p2 ^ ((p2 ^ 3) & s3);
          dx[i0] = 0;
          dx[i1] = 0;
          dx[i2] = 0;
          dx[i3] = 0;
          // + 0 turns −0 into +0, as tfjs-cpu's 0 + dy·1 does.
          if (m3 !== NEG_INFINITY_KEY) dx[i0 + (p3 & 1) * c + (p3 >> 1) * rowStep] = (dy[out] as number) + 0;
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
