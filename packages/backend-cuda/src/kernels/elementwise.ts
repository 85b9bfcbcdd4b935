import {
  Abs,
  Add,
  AddN,
  backend_util,
  Ceil,
  ClipByValue,
  type ClipByValueAttrs,
  Cos,
  type DataType,
  Elu,
  EluGrad,
  Equal,
  Exp,
  Floor,
  FloorDiv,
  Greater,
  GreaterEqual,
  IsNan,
  LeakyRelu,
  type LeakyReluAttrs,
  Less,
  LessEqual,
  Log,
  Log1p,
  LogicalAnd,
  LogicalNot,
  LogicalOr,
  Maximum,
  Minimum,
  Mod,
  Multiply,
  Neg,
  NotEqual,
  OneHot,
  type OneHotAttrs,
  Pow,
  Prelu,
  RealDiv,
  Reciprocal,
  Relu,
  Relu6,
  Round,
  Rsqrt,
  Select,
  Selu,
  Sigmoid,
  Sign,
  Sin,
  Softplus,
  Sqrt,
  Square,
  SquaredDifference,
  Step,
  type StepAttrs,
  Sub,
  Tanh,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { type CudaBackend, dtypeCode } from '../backend.js';
import { type CudaKernel, type CudaKernelArgs, gpu, sizeOf } from './kernel.js';

// Element-wise kernels on the device (native/cuda/elementwise.cu): the unary
// math and activations, binary arithmetic and comparisons with NumPy
// broadcasting, Select, AddN and OneHot. Output dtypes follow tfjs' cpu
// kernels (FloorDiv gives int32, Exp and LeakyRelu of int32 give float32,
// comparisons give bool); what the device does not run (string, complex64,
// arithmetic on bool) is declined and runs on the cpu kernel.

/** The functions native/cuda/elementwise_bindings.cc adds to the addon. */
export interface ElementwiseFunctions {
  /** out = op(x) for `count` elements of `dtype` (a code); alpha and beta are the op's attributes. */
  unary(op: number, out: number, x: number, count: number, dtype: number, alpha: number, beta: number): void;
  /** out = op(a, b), broadcast (NumPy rules, rank ≤ 8); inputs of `dtype`. */
  binary(op: number, out: number, a: number, aShape: Int32Array, b: number, bShape: Int32Array, dtype: number): void;
  /** out[i] = condition[i / rowSize] ? t[i] : e[i], 4-byte elements. */
  select(out: number, condition: number, t: number, e: number, count: number, rowSize: number): void;
  /** out = the sum of the inputs, in order (float32 or int32). */
  addN(out: number, count: number, dtype: number, ...inputs: number[]): void;
  /** out [count, depth] = offValue, onValue where the column is the row's index. */
  oneHot(
    out: number,
    indices: number,
    count: number,
    depth: number,
    onValue: number,
    offValue: number,
    dtype: number,
  ): void;
}

/** Op codes of elementwise.h's UnaryOp, in order. */
export const UNARY_OPS = [
  Abs,
  Neg,
  Exp,
  Log,
  Log1p,
  Sqrt,
  Rsqrt,
  Square,
  Reciprocal,
  Relu,
  Relu6,
  Elu,
  Selu,
  Sigmoid,
  Tanh,
  Softplus,
  Floor,
  Ceil,
  Round,
  Sign,
  Sin,
  Cos,
  Step,
  LeakyRelu,
  ClipByValue,
  IsNan,
  LogicalNot,
] as const;

/** Op codes of elementwise.h's BinaryOp, in order. */
export const BINARY_OPS = [
  Add,
  Sub,
  Multiply,
  RealDiv,
  Maximum,
  Minimum,
  Pow,
  SquaredDifference,
  FloorDiv,
  Mod,
  Equal,
  NotEqual,
  Greater,
  GreaterEqual,
  Less,
  LessEqual,
  LogicalAnd,
  LogicalOr,
  Prelu,
  EluGrad,
] as const;

const onDevice = (dtype: DataType) => dtype === 'float32' || dtype === 'int32' || dtype === 'bool';
const PREDICATES = new Set<string>([Equal, NotEqual, Greater, GreaterEqual, Less, LessEqual]);

/** The dtype of tfjs' cpu kernel's output (as elementwise.cu's unaryOutputType), undefined where the GPU declines. */
function unaryOutputDtype(kernelName: string, dtype: DataType): DataType | undefined {
  if (!onDevice(dtype)) return undefined;
  if (kernelName === IsNan || kernelName === LogicalNot) return 'bool';
  if (dtype === 'bool') return undefined;
  if (dtype === 'float32') return 'float32';
  return kernelName === Exp || kernelName === LeakyRelu ? 'float32' : 'int32';
}

/** As elementwise.cu's binaryOutputType. */
function binaryOutputDtype(kernelName: string, dtype: DataType): DataType | undefined {
  if (!onDevice(dtype)) return undefined;
  if (kernelName === LogicalAnd || kernelName === LogicalOr) return dtype === 'bool' ? 'bool' : undefined;
  if (PREDICATES.has(kernelName)) return 'bool';
  if (kernelName === Prelu || kernelName === EluGrad) return dtype === 'float32' ? 'float32' : undefined;
  if (dtype === 'bool') return undefined;
  return kernelName === FloorDiv ? 'int32' : dtype;
}

type UnaryAttrs = Partial<StepAttrs & LeakyReluAttrs & ClipByValueAttrs>;

/** The op's attributes as (alpha, beta), undefined when one it needs is missing. */
function unaryAttrs(kernelName: string, attrs: UnaryAttrs): [number, number] | undefined {
  if (kernelName === Step || kernelName === LeakyRelu) {
    return typeof attrs.alpha === 'number' ? [attrs.alpha, 0] : undefined;
  }
  if (kernelName === ClipByValue) {
    const { clipValueMin: min, clipValueMax: max } = attrs;
    return typeof min === 'number' && typeof max === 'number' ? [min, max] : undefined;
  }
  return [0, 0];
}

function unaryKernel(kernelName: (typeof UNARY_OPS)[number]): CudaKernel {
  const op = UNARY_OPS.indexOf(kernelName);
  return {
    kernelName,
    run: ({ inputs: { x }, backend, attrs }: CudaKernelArgs<{ x: TensorInfo }, UnaryAttrs>) => {
      const dtype = unaryOutputDtype(kernelName, x.dtype);
      const values = unaryAttrs(kernelName, attrs);
      if (!dtype || !values) return undefined;
      const out = backend.makeOutput(x.shape, dtype);
      const count = sizeOf(x.shape);
      if (count > 0) {
        gpu<ElementwiseFunctions>(backend).unary(
          op,
          backend.pointer(out),
          backend.pointer(x),
          count,
          dtypeCode(x.dtype),
          values[0],
          values[1],
        );
      }
      return out;
    },
  };
}

/** op(a, b) broadcast: the output of tfjs' cpu kernel, or undefined where the GPU declines. */
function binary(
  backend: CudaBackend,
  kernelName: (typeof BINARY_OPS)[number],
  a: TensorInfo,
  b: TensorInfo,
): TensorInfo | undefined {
  const dtype = a.dtype === b.dtype ? binaryOutputDtype(kernelName, a.dtype) : undefined;
  if (!dtype || a.shape.length > 8 || b.shape.length > 8) return undefined;
  const shape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
  const out = backend.makeOutput(shape, dtype);
  if (sizeOf(shape) > 0) {
    gpu<ElementwiseFunctions>(backend).binary(
      BINARY_OPS.indexOf(kernelName),
      backend.pointer(out),
      backend.pointer(a),
      Int32Array.from(a.shape),
      backend.pointer(b),
      Int32Array.from(b.shape),
      dtypeCode(a.dtype),
    );
  }
  return out;
}

function binaryKernel(kernelName: (typeof BINARY_OPS)[number]): CudaKernel {
  return {
    kernelName,
    run: ({ inputs: { a, b }, backend }: CudaKernelArgs<{ a: TensorInfo; b: TensorInfo }>) =>
      binary(backend, kernelName, a, b),
  };
}

const prelu: CudaKernel = {
  kernelName: Prelu,
  run: ({ inputs: { x, alpha }, backend }: CudaKernelArgs<{ x: TensorInfo; alpha: TensorInfo }>) =>
    binary(backend, Prelu, x, alpha),
};

const eluGrad: CudaKernel = {
  kernelName: EluGrad,
  run: ({ inputs: { dy, y }, backend }: CudaKernelArgs<{ dy: TensorInfo; y: TensorInfo }>) =>
    util.arraysEqual(dy.shape, y.shape) ? binary(backend, EluGrad, dy, y) : undefined,
};

/**
 * tf.where's kernel: condition of t's shape, or (TensorFlow's rule) a rank-1
 * condition choosing whole rows of t and e. For the latter, tfjs' cpu kernel
 * repeats t[i] / e[i] along row i instead of copying the rows (a bug);
 * tf.where itself always broadcasts the condition to t's shape.
 */
const select: CudaKernel = {
  kernelName: Select,
  run: ({
    inputs: { condition, t, e },
    backend,
  }: CudaKernelArgs<{ condition: TensorInfo; t: TensorInfo; e: TensorInfo }>) => {
    if (condition.dtype !== 'bool' || t.dtype !== e.dtype || !onDevice(t.dtype)) return undefined;
    if (!util.arraysEqual(t.shape, e.shape)) return undefined;
    const count = sizeOf(t.shape);
    let rowSize = 1;
    if (!util.arraysEqual(condition.shape, t.shape)) {
      if (condition.shape.length !== 1 || t.shape.length < 2 || condition.shape[0] !== t.shape[0]) return undefined;
      rowSize = Math.max(sizeOf(t.shape.slice(1)), 1);
    }
    const out = backend.makeOutput(t.shape, t.dtype);
    if (count > 0) {
      gpu<ElementwiseFunctions>(backend).select(
        backend.pointer(out),
        backend.pointer(condition),
        backend.pointer(t),
        backend.pointer(e),
        count,
        rowSize,
      );
    }
    return out;
  },
};

const addN: CudaKernel = {
  kernelName: AddN,
  run: ({ inputs, backend }: CudaKernelArgs<TensorInfo[]>) => {
    const first = inputs[0];
    if (!first || (first.dtype !== 'float32' && first.dtype !== 'int32')) return undefined;
    if (!inputs.every((t) => t.dtype === first.dtype && util.arraysEqual(t.shape, first.shape))) return undefined;
    const out = backend.makeOutput(first.shape, first.dtype);
    const count = sizeOf(first.shape);
    if (count > 0) {
      gpu<ElementwiseFunctions>(backend).addN(
        backend.pointer(out),
        count,
        dtypeCode(first.dtype),
        ...inputs.map((t) => backend.pointer(t)),
      );
    }
    return out;
  },
};

const oneHot: CudaKernel = {
  kernelName: OneHot,
  run: ({ inputs: { indices }, backend, attrs }: CudaKernelArgs<{ indices: TensorInfo }, OneHotAttrs>) => {
    const { depth, onValue, offValue, dtype } = attrs;
    if (indices.dtype !== 'int32' || (dtype !== 'float32' && dtype !== 'int32')) return undefined;
    if (!Number.isInteger(depth) || depth < 0) return undefined;
    const out = backend.makeOutput([...indices.shape, depth], dtype);
    const count = sizeOf(indices.shape);
    if (count * depth > 0) {
      gpu<ElementwiseFunctions>(backend).oneHot(
        backend.pointer(out),
        backend.pointer(indices),
        count,
        depth,
        onValue,
        offValue,
        dtypeCode(dtype),
      );
    }
    return out;
  },
};

/** Unary math and activations, broadcast binary ops, Prelu, EluGrad, Select, AddN and OneHot. */
export const elementwiseKernels: readonly CudaKernel[] = [
  ...UNARY_OPS.map(unaryKernel),
  ...BINARY_OPS.filter((name) => name !== Prelu && name !== EluGrad).map(binaryKernel),
  prelu,
  eluGrad,
  select,
  addN,
  oneHot,
];
