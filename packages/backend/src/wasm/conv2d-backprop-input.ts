// Conv2DBackpropInput for the wasm backend. tfjs ships one, but as a plain C++
// loop that is 10–15× slower than its XNNPACK forward convolution (LeNet-5's
// second layer: 24 ms against 1.8 ms), the largest cost of a training step.
//
// The input gradient of a stride-s convolution splits into s×s phases: the
// input rows i with (i + padTop) ≡ r (mod s) receive only the taps
// kh ≡ r (mod s), so each phase is a stride-1 convolution of dy with the
// flipped sub-filter W[r + s·a] (in/out channels swapped), run by XNNPACK.
// Phases are scattered into dx; with stride 1 there is one phase, and with
// ordinary padding it is dx itself. No zeros are inserted into dy, so no
// multiply is wasted.
//
// Where convkit's SIMD module runs (simd/module.ts), shapes it is faster at go
// to its C kernel instead (wasm-kernels/conv2d-backprop-input.c): XNNPACK
// builds a new operator for every call whose filter is new, i.e. every
// training step, which costs more than the whole product at LeNet-5's sizes.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { assertChannelsLast, asWasm, explicitPad, heapF32, release, requireInput, runWasmKernel } from './heap.js';
import { heapOffset, type SimdKernels, simdKernels } from './simd/module.js';
import { batchParts, paddedExtent, partScratchBytes, up4, windowArgs } from './simd-conv.js';

/** One phase of a strided transposed convolution along one axis. */
export interface AxisPhase {
  /** Filter taps this phase uses: r, r + s, r + 2s, … */
  taps: number;
  /** First input index (of dx) in the phase; the others follow every `stride`. */
  first: number;
  /** How many input indices the phase covers. */
  count: number;
  /** Padding of dy before and after, for the stride-1 convolution. */
  padBefore: number;
  padAfter: number;
  /** Index in the convolution's output of the phase's first input index. */
  skip: number;
  /** Length of the convolution's output. */
  length: number;
}

/**
 * Splits one axis of a transposed convolution into its `stride` phases
 * (exported for tests). `inSize` is the length of x (and dx), `outSize` of dy.
 */
export function planAxis(inSize: number, outSize: number, kernel: number, stride: number, pad: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let r = 0; r < stride; r++) {
    // Padded coordinate t = i + pad; this phase holds t ≡ r, t = r + s·q.
    const t0 = pad + ((((r - pad) % stride) + stride) % stride);
    const first = t0 - pad;
    const count = first < inSize ? Math.floor((inSize - 1 - first) / stride) + 1 : 0;
    const taps = r < kernel ? Math.ceil((kernel - r) / stride) : 0;
    const q0 = (t0 - r) / stride;
    // dx[q] = Σ_a dy[q − a]·W[r + s·a]: a correlation of dy with the flipped
    // sub-filter whose output index j holds q0 + j once dy is padded by
    // `before`. Negative padding becomes skipped output instead.
    const before = taps - 1 - q0;
    const after = count - outSize - before + taps - 1;
    const padBefore = Math.max(0, before);
    const padAfter = Math.max(0, after);
    const length = outSize + padBefore + padAfter - taps + 1;
    phases.push({ taps, first, count, padBefore, padAfter, skip: padBefore - before, length });
  }
  return phases;
}

const conv2DBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const dy = requireInput(inputs, 'dy', Conv2DBackpropInput);
  const filter = requireInput(inputs, 'filter', Conv2DBackpropInput);
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
  assertChannelsLast(Conv2DBackpropInput, dataFormat);
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const simd = simdKernels(wasm);
  if (simd && inputGradRoute(info, true) === 'simd') return simdInputGrad(wasm, simd, dy, filter, info);
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const rows = planAxis(inHeight, outHeight, filterHeight, strideHeight, info.padInfo.top);
  const cols = planAxis(inWidth, outWidth, filterWidth, strideWidth, info.padInfo.left);
  const [row] = rows;
  const [col] = cols;
  if (rows.length === 1 && cols.length === 1 && row && col && isWhole(row, inHeight) && isWhole(col, inWidth)) {
    return phaseConvolution(wasm, dy, filter, info, row, col, 0, 0);
  }
  const dx = wasm.makeOutput(info.inShape, 'float32');
  heapF32(wasm, dx).fill(0);
  rows.forEach((rowPhase, rh) => {
    cols.forEach((colPhase, rw) => {
      if (rowPhase.taps === 0 || colPhase.taps === 0 || rowPhase.count === 0 || colPhase.count === 0) return;
      if (rowPhase.length < 1 || colPhase.length < 1) return;
      const part = phaseConvolution(wasm, dy, filter, info, rowPhase, colPhase, rh, rw);
      scatterPhase(heapF32(wasm, part), heapF32(wasm, dx), info, rowPhase, colPhase);
      release(wasm, part);
    });
  });
  return dx;
};

/**
 * Which implementation computes dx for this geometry (exported for tests):
 * convkit's SIMD kernel where the module runs and the product is small enough
 * that XNNPACK's per-call operator setup dominates, else XNNPACK convolutions.
 */
export function inputGradRoute(info: backend_util.Conv2DInfo, hasSimd: boolean): 'simd' | 'xnnpack' {
  if (!hasSimd || info.dilationHeight !== 1 || info.dilationWidth !== 1) return 'xnnpack';
  if (info.batchSize < 1 || info.outHeight < 1 || info.outWidth < 1) return 'xnnpack';
  if (info.padInfo.top < 0 || info.padInfo.left < 0) return 'xnnpack';
  return info.inChannels * info.outChannels <= SIMD_MAX_CHANNEL_PRODUCT ? 'simd' : 'xnnpack';
}

/**
 * Ci·Co up to which the SIMD kernel takes dx (32→32 layers). Measured on one thread against
 * XNNPACK's two, same process (min of 60–300 calls, a loaded 2-core machine): LeNet-5's conv2
 * 0.74 against 1.27 ms, 16→16 and 16→32 (stride 2) layers 2–3× faster, 32→32 at 16² 4.4
 * against 5.7 ms; at 64→64 (28², batch 8) XNNPACK's best call was faster (12.5 against 13.9 ms),
 * and its thread pool scales with cores where this kernel stays on one thread.
 */
const SIMD_MAX_CHANNEL_PRODUCT = 32 * 32;

/** Bytes of scratch the C kernel uses: the packed filter and one zero-padded dx image (layout in the .c file). */
export function inputGradScratchBytes(info: backend_util.Conv2DInfo): number {
  const { inChannels, outChannels, filterHeight, filterWidth } = info;
  const [height, width] = paddedExtent(info);
  return 4 * (filterHeight * up4(filterWidth * inChannels) * outChannels + up4(height * width * inChannels) + 4);
}

/**
 * Runs the C kernel on heap offsets (exported for tests, which place dx between canaries):
 * dy [N, OH, OW, Co] and the filter [KH, KW, Ci, Co] in, dx [N, IH, IW, Ci] out.
 */
export function runInputGradKernel(
  simd: SimdKernels,
  info: backend_util.Conv2DInfo,
  at: { dy: number; filter: number; dx: number; scratch: number },
  threads = 1,
): void {
  const { batchSize, outHeight, outWidth, outChannels, inHeight, inWidth, inChannels } = info;
  const sizes = [outHeight, outWidth, outChannels, inHeight, inWidth, inChannels];
  // Images are independent: each part is the same kernel on its own images, with its own scratch.
  const [outImage, image] = [4 * outHeight * outWidth * outChannels, 4 * inHeight * inWidth * inChannels];
  const scratch = partScratchBytes(inputGradScratchBytes(info));
  const calls = batchParts(batchSize, threads).map(([first, count], part) => [
    at.dy + first * outImage,
    at.filter,
    at.dx + first * image,
    at.scratch + part * scratch,
    count,
    ...sizes,
    ...windowArgs(info),
  ]);
  simd.split('conv2d_backprop_input', calls);
}

/** dx by convkit's SIMD kernel, in one call over the batch. */
function simdInputGrad(
  backend: BackendWasm,
  simd: SimdKernels,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const dx = backend.makeOutput(info.inShape, 'float32');
  const parts = batchParts(info.batchSize, simd.threads).length;
  const scratch = simd.scratch(parts * partScratchBytes(inputGradScratchBytes(info)));
  const at = { dy: heapOffset(backend, dy), filter: heapOffset(backend, filter), dx: heapOffset(backend, dx), scratch };
  runInputGradKernel(simd, info, at, parts);
  return dx;
}

function isWhole(phase: AxisPhase, size: number): boolean {
  return phase.skip === 0 && phase.first === 0 && phase.count === size && phase.length === size;
}

/** The stride-1 convolution of dy with phase (rh, rw)'s flipped sub-filter: [N, rows.length, cols.length, Ci]. */
function phaseConvolution(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
  rows: AxisPhase,
  cols: AxisPhase,
  rh: number,
  rw: number,
): TensorInfo {
  const { inChannels, outChannels, filterWidth, strideHeight, strideWidth } = info;
  const sub = backend.makeOutput([rows.taps, cols.taps, outChannels, inChannels], 'float32');
  const w = heapF32(backend, filter);
  const f = heapF32(backend, sub);
  // f[a, b, co, ci] = W[rh + s·(A−1−a), rw + s·(B−1−b), ci, co]
  for (let a = 0; a < rows.taps; a++) {
    const kh = rh + strideHeight * (rows.taps - 1 - a);
    for (let b = 0; b < cols.taps; b++) {
      const kw = rw + strideWidth * (cols.taps - 1 - b);
      const tap = (kh * filterWidth + kw) * inChannels * outChannels;
      const out = (a * cols.taps + b) * outChannels * inChannels;
      for (let ci = 0; ci < inChannels; ci++) {
        for (let co = 0; co < outChannels; co++) f[out + co * inChannels + ci] = w[tap + ci * outChannels + co] ?? 0;
      }
    }
  }
  const result = runWasmKernel(
    backend,
    'Conv2D',
    { x: dy, filter: sub },
    {
      strides: [1, 1],
      dilations: [1, 1],
      pad: explicitPad(rows.padBefore, rows.padAfter, cols.padBefore, cols.padAfter),
      dataFormat: 'NHWC',
    },
  );
  release(backend, sub);
  return result;
}

/** Copies a phase's rows and columns to their places in dx (every stride-th row and column). */
function scatterPhase(
  part: Float32Array,
  dx: Float32Array,
  info: backend_util.Conv2DInfo,
  rows: AxisPhase,
  cols: AxisPhase,
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, strideHeight, strideWidth } = info;
  for (let n = 0; n < batchSize; n++) {
    for (let j = 0; j < rows.count; j++) {
      const src = ((n * rows.length + j + rows.skip) * cols.length + cols.skip) * c;
      const dst = ((n * inHeight + rows.first + j * strideHeight) * inWidth + cols.first) * c;
      if (strideWidth === 1) {
        dx.set(part.subarray(src, src + cols.count * c), dst);
        continue;
      }
      for (let i = 0; i < cols.count; i++) {
        const from = src + i * c;
        const to = dst + i * strideWidth * c;
        for (let k = 0; k < c; k++) dx[to + k] = part[from + k] ?? 0;
      }
    }
  }
}

/** Conv2DBackpropInput on the wasm backend: the input gradient of a 2-D convolution through XNNPACK. */
export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput,
};
