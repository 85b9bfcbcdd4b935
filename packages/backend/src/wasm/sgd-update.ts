// The fused SGD update (`ConvkitSgdUpdate`, the contract of
// @convkit/backend-native's kernels/optimizer.ts) for the wasm backend: one
// kernel call updates every variable of a step. Without it, tfjs' momentum
// optimizer dispatches four kernels per variable (two Multiply, two Add),
// each a trip through the engine and, threaded, through XNNPACK's pool: on
// LeNet-5 that is 40 of a step's 160 kernels for 62k weights.
//
// Where convkit's SIMD kernels are prepared it runs one pass per weight
// (wasm-kernels/sgd-update.c); elsewhere it calls the backend's own Multiply,
// Add and Sub kernels directly (no trip through the engine, no tensors on the
// tape). Both do the unfused update's float32 operations in its order, so all
// three agree to the bit. LeNet-5's 62k weights: 0.39 ms by the binary
// kernels, 0.13 ms by the SIMD pass (profile-native --backend wasm, one busy
// run each); a JS loop on the heap took 0.23 ms.
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelConfig,
  type KernelFunc,
  type NamedTensorInfoMap,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { SGD_UPDATE } from '../fused-kernels.js';
import { asWasm, heapF32, release, runWasmKernel } from './heap.js';
import { heapOffset, type SimdKernels, simdKernels } from './simd/module.js';

interface SgdAttrs {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Per weight, 1 where L2 decay applies; its length is the number of weights. */
  decay: number[];
}

/** Input `<key><i>`, float32, or an error naming it and what came instead. */
function input(inputs: NamedTensorInfoMap, key: string, i: number, like?: TensorInfo): TensorInfo {
  const info = inputs[`${key}${i}`];
  if (info?.dtype !== 'float32') {
    throw new TypeError(
      `wasm ${SGD_UPDATE}: input ${key}${i} must be a float32 tensor, received ${info ? info.dtype : 'nothing'}`,
    );
  }
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  if (like && size(info.shape) !== size(like.shape)) {
    throw new RangeError(
      `wasm ${SGD_UPDATE}: input ${key}${i} has shape [${info.shape}], its weight w${i} [${like.shape}]`,
    );
  }
  return info;
}

/** A float32 scalar on the heap holding `value` (rounded to float32, as tfjs' scalar tensors are). */
function scalar(backend: BackendWasm, value: number): TensorInfo {
  const info = backend.makeOutput([], 'float32');
  heapF32(backend, info)[0] = value;
  return info;
}

/**
 * One weight's update with the backend's own Multiply, Add and Sub (XNNPACK, threaded): v·μ + g, then
 * w − v·lr; the intermediates are freed here. Returns the new weight and velocity.
 */
function updateOne(
  backend: BackendWasm,
  t: { w: TensorInfo; g: TensorInfo; v: TensorInfo | null },
  s: { lr: TensorInfo; mu: TensorInfo; lambda: TensorInfo },
  o: { nesterov: boolean; decay: boolean },
): { w: TensorInfo; v: TensorInfo | null } {
  const run = (kernel: string, a: TensorInfo, b: TensorInfo) => runWasmKernel(backend, kernel, { a, b });
  const temporaries: TensorInfo[] = [];
  const keep = (info: TensorInfo) => {
    temporaries.push(info);
    return info;
  };
  // g + w·λ where L2 decay applies.
  const gd = o.decay ? keep(run('Add', t.g, keep(run('Multiply', t.w, s.lambda)))) : t.g;
  let v: TensorInfo | null = null;
  let direction = gd;
  if (t.v) {
    v = run('Add', keep(run('Multiply', t.v, s.mu)), gd);
    direction = o.nesterov ? keep(run('Add', gd, keep(run('Multiply', v, s.mu)))) : v;
  }
  const w = run('Sub', t.w, keep(run('Multiply', direction, s.lr)));
  release(backend, ...temporaries);
  return { w, v };
}

/**
 * The same update by convkit's SIMD kernel (wasm-kernels/sgd-update.c): one pass over the weight, the same
 * float32 operations in the same order, so the same bits as {@link updateOne}.
 */
function updateBySimd(
  backend: BackendWasm,
  simd: SimdKernels,
  t: { w: TensorInfo; g: TensorInfo; v: TensorInfo | null },
  a: SgdAttrs,
  decay: boolean,
): { w: TensorInfo; v: TensorInfo | null } {
  const w = backend.makeOutput(t.w.shape, 'float32');
  const v = t.v ? backend.makeOutput(t.w.shape, 'float32') : null;
  const size = util.sizeFromShape(t.w.shape);
  if (size > 0) {
    const at = (info: TensorInfo | null) => (info ? heapOffset(backend, info) : 0);
    simd.fn('sgd_update')(
      at(t.w),
      at(t.g),
      at(t.v),
      at(w),
      at(v),
      size,
      a.lr,
      a.momentum,
      a.weightDecay,
      decay ? 1 : 0,
      t.v ? 1 : 0,
      a.nesterov ? 1 : 0,
    );
  }
  return { w, v };
}

const sgdUpdate: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = asWasm(backend);
  const a = attrs as unknown as SgdAttrs;
  const count = a.decay.length;
  if (count === 0 || !inputs[`w${count - 1}`] || inputs[`w${count}`]) {
    throw new RangeError(
      `wasm ${SGD_UPDATE}: decay has ${count} flags, which must equal the number of weights (inputs w0…)`,
    );
  }
  const withMomentum = a.momentum > 0;
  const simd = simdKernels(wasm);
  const scalars = simd
    ? undefined
    : { lr: scalar(wasm, a.lr), mu: scalar(wasm, a.momentum), lambda: scalar(wasm, a.weightDecay) };
  const newWeights: TensorInfo[] = [];
  const newVelocities: TensorInfo[] = [];
  for (let i = 0; i < count; i++) {
    const w = input(inputs, 'w', i);
    const g = input(inputs, 'g', i, w);
    const v = withMomentum ? input(inputs, 'v', i, w) : null;
    const decay = a.decay[i] === 1;
    const out = scalars
      ? updateOne(wasm, { w, g, v }, scalars, { nesterov: a.nesterov, decay })
      : updateBySimd(wasm, simd as SimdKernels, { w, g, v }, a, decay);
    newWeights.push(out.w);
    if (out.v) newVelocities.push(out.v);
  }
  if (scalars) release(wasm, scalars.lr, scalars.mu, scalars.lambda);
  return [...newWeights, ...newVelocities];
};

/** ConvkitSgdUpdate on the wasm backend: v ← μ·v + g, w ← w − lr·v for every weight in one call. */
export const sgdUpdateConfig: KernelConfig = {
  kernelName: SGD_UPDATE,
  backendName: 'wasm',
  kernelFunc: sgdUpdate,
};
