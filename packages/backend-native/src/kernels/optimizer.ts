import { ADAM_UPDATE, SGD_UPDATE } from '@convkit/backend/adapter';
import type { KernelConfig, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { f32, type KernelArgs, output } from './kernel.js';

// The fused optimizer updates: one kernel call per step for every variable of
// a model (@convkit/train's optimizers and the bench's workloads call them by
// name and fall back to their per-variable ops where a backend lacks them).
// They are not tfjs kernels with a cpu twin, so they are registered apart
// from the counted kernels (backend.ts).
//
// Inputs, for weight i: `w<i>`, its gradient `g<i>` and its state: `v<i>`
// (SGD's velocity, absent without momentum) or `m<i>` and `v<i>` (Adam).
// Outputs: the new weights, then the new states in the same order
// (SGD: w…, v…; Adam: w…, m…, v…). Attributes as the types below.

// The kernels' names are @convkit/backend's, shared with its wasm SGD kernel.
export { ADAM_UPDATE, SGD_UPDATE };

interface SgdAttrs {
  lr: number;
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** Per weight, 1 where L2 decay applies. */
  decay: number[];
}

interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  bias1: number;
  bias2: number;
  decay: number[];
}

type Inputs = Record<string, TensorInfo>;

/** Input `<key><i>` of every weight as float32 storage; throws naming the input (the callers check dtypes). */
function storage(args: KernelArgs<Inputs, unknown>, key: string, count: number): Float32Array[] {
  const arrays: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const tensor = args.inputs[`${key}${i}`];
    const values = f32(args.backend, tensor);
    if (!values) {
      throw new TypeError(
        `native optimizer update: input ${key}${i} must be a float32 tensor, received ${tensor ? tensor.dtype : 'nothing'}`,
      );
    }
    arrays.push(values);
  }
  return arrays;
}

/** Fresh outputs shaped like the weights, and the tensors the engine receives for them. */
function outputs(args: KernelArgs<Inputs, unknown>, weights: Float32Array[]) {
  const arrays = weights.map((w) => output(args.backend, w.length));
  const infos = arrays.map((a, i) =>
    args.backend.makeTensorInfo((args.inputs[`w${i}`] as TensorInfo).shape, 'float32', a as TypedArray),
  );
  return { arrays, infos };
}

function weightCount(args: KernelArgs<Inputs, { decay: number[] }>): number {
  const count = args.attrs.decay.length;
  if (!args.inputs[`w${count - 1}`] || args.inputs[`w${count}`]) {
    throw new RangeError(
      `native optimizer update: decay has ${count} flags, which must equal the number of weights (inputs w0…)`,
    );
  }
  return count;
}

function sgdUpdate(args: KernelArgs<Inputs, SgdAttrs>): TensorInfo[] {
  const { lr, momentum, nesterov, weightDecay, decay } = args.attrs;
  const count = weightCount(args);
  const w = storage(args, 'w', count);
  const g = storage(args, 'g', count);
  const v = momentum > 0 ? storage(args, 'v', count) : null;
  const newW = outputs(args, w);
  const newV = v ? outputs(args, w) : null;
  loadAddon().sgdUpdate(
    w,
    g,
    v,
    newW.arrays,
    newV?.arrays ?? null,
    Uint8Array.from(decay),
    lr,
    momentum,
    weightDecay,
    nesterov,
  );
  return newV ? [...newW.infos, ...newV.infos] : newW.infos;
}

function adamUpdate(args: KernelArgs<Inputs, AdamAttrs>): TensorInfo[] {
  const { lr, beta1, beta2, epsilon, weightDecay, bias1, bias2, decay } = args.attrs;
  const count = weightCount(args);
  const w = storage(args, 'w', count);
  const [g, m, v] = [storage(args, 'g', count), storage(args, 'm', count), storage(args, 'v', count)];
  const [newW, newM, newV] = [outputs(args, w), outputs(args, w), outputs(args, w)];
  loadAddon().adamUpdate(
    w,
    g,
    m,
    v,
    newW.arrays,
    newM.arrays,
    newV.arrays,
    Uint8Array.from(decay),
    lr,
    beta1,
    beta2,
    epsilon,
    weightDecay,
    bias1,
    bias2,
  );
  return [...newW.infos, ...newM.infos, ...newV.infos];
}

/** The fused updates as tfjs kernel configs for `backendName`. */
export function optimizerKernels(backendName: string): KernelConfig[] {
  return [
    { kernelName: SGD_UPDATE, backendName, kernelFunc: sgdUpdate as unknown as KernelConfig['kernelFunc'] },
    { kernelName: ADAM_UPDATE, backendName, kernelFunc: adamUpdate as unknown as KernelConfig['kernelFunc'] },
  ];
}
