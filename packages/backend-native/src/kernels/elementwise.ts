import {
  Add,
  backend_util,
  Elu,
  LeakyRelu,
  type LeakyReluAttrs,
  Multiply,
  RealDiv,
  Relu,
  Relu6,
  Sigmoid,
  Step,
  type StepAttrs,
  Sub,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { loadAddon } from '../addon.js';
import { ACTIVATIONS, f32, type KernelArgs, type NativeKernel, output, sizeOf } from './kernel.js';

// The element-wise kernels that a training profile shows: the bias add, ReLU
// and its gradient (Step, then Multiply), and the optimizer's arithmetic.

/**
 * Whether an operand broadcasts to `out` by repeating along the leading axes
 * (its shape, after its leading 1s, equals the output's trailing dims: a
 * bias, a per-channel scale, a scalar). The addon takes only that form.
 */
function repeatsAlongLeadingAxes(shape: readonly number[], out: readonly number[]): boolean {
  const offset = out.length - shape.length;
  let i = 0;
  while (i < shape.length && shape[i] === 1) i++;
  for (; i < shape.length; i++) if (shape[i] !== out[offset + i]) return false;
  return true;
}

const OPS = { [Add]: 0, [Sub]: 1, [Multiply]: 2, [RealDiv]: 3 } as const;

/** An operand's strides over the broadcast output: row-major, 0 along the axes where it has size 1. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): Int32Array {
  const strides = new Int32Array(out.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const dim = shape[i] as number;
    strides[out.length - shape.length + i] = dim === 1 ? 0 : stride;
    stride *= dim;
  }
  return strides;
}

function binary(op: number) {
  return ({ inputs, backend }: KernelArgs<{ a: TensorInfo; b: TensorInfo }>) => {
    const a = f32(backend, inputs.a);
    const b = f32(backend, inputs.b);
    if (!a || !b) return undefined;
    const shape = backend_util.assertAndGetBroadcastShape(inputs.a.shape, inputs.b.shape);
    const size = sizeOf(shape);
    const out = output(backend, size);
    if (size === 0) return backend.makeTensorInfo(shape, 'float32', out);
    if (repeatsAlongLeadingAxes(inputs.a.shape, shape) && repeatsAlongLeadingAxes(inputs.b.shape, shape)) {
      loadAddon().binary(op, a, b, out, Int32Array.from([a.length, b.length, size]));
    } else {
      const aStrides = broadcastStrides(inputs.a.shape, shape);
      const bStrides = broadcastStrides(inputs.b.shape, shape);
      loadAddon().broadcast(op, a, b, out, Int32Array.from(shape), aStrides, bStrides);
    }
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function activation(name: string) {
  const code = ACTIVATIONS[name] as number;
  return ({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, Partial<LeakyReluAttrs>>) => {
    const x = f32(backend, inputs.x);
    if (!x) return undefined;
    const y = output(backend, x.length);
    loadAddon().activation(x, y, code, attrs.alpha ?? 0.2);
    return backend.makeTensorInfo(inputs.x.shape, 'float32', y);
  };
}

function step({ inputs, backend, attrs }: KernelArgs<{ x: TensorInfo }, StepAttrs>) {
  const x = f32(backend, inputs.x);
  if (!x) return undefined;
  const y = output(backend, x.length);
  loadAddon().step(x, y, attrs.alpha ?? 0);
  return backend.makeTensorInfo(inputs.x.shape, 'float32', y);
}

export const elementwiseKernels: NativeKernel[] = [
  ...Object.entries(OPS).map(([kernelName, op]) => ({ kernelName, run: binary(op) })),
  { kernelName: Relu, run: activation('relu') },
  { kernelName: Relu6, run: activation('relu6') },
  { kernelName: Elu, run: activation('elu') },
  { kernelName: Sigmoid, run: activation('sigmoid') },
  { kernelName: LeakyRelu, run: activation('leakyrelu') },
  { kernelName: Step, run: step },
];
