import * as tf from '@tensorflow/tfjs-core';
import type { ExplicitPadding } from './window.js';

// The ops the layers are written in, where tfjs-core's own op does not compute the formula as the layer
// states it (a stride with a dilation, channel groups, a partial connection table, a window's sum). Each
// works around a tfjs limit here, once, so that a layer's call reads as its formula.

/** A placed convolution window, as `placeWindow` resolves it, plus the channel groups. */
export interface ConvGeometry {
  stride: [number, number];
  dilation: [number, number];
  padding: ExplicitPadding;
  groups: number;
}

/**
 * NHWC convolution with an HWIO kernel `[kh, kw, C / groups, filters]`, any stride with any dilation,
 * and `groups` channel groups (input channels and filters split into `groups` contiguous blocks).
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, geometry: ConvGeometry): tf.Tensor4D {
  const { stride, dilation, padding, groups } = geometry;
  // tfjs takes a stride or a dilation, not both: a dilated stride-1
  // convolution sampled every `stride` computes the same outputs.
  const both = stride.some((s) => s > 1) && dilation.some((d) => d > 1);
  const step: [number, number] = both ? [1, 1] : stride;
  const convolve = (part: tf.Tensor4D, filter: tf.Tensor4D) => tf.conv2d(part, filter, step, padding, 'NHWC', dilation);
  const y = groups === 1 ? convolve(x, kernel) : grouped(x, kernel, groups, convolve);
  return both ? everyNth(y, stride) : y;
}

/** Channel groups: tfjs' conv2d has none, so each group is convolved alone and the results stacked in order. */
function grouped(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  groups: number,
  convolve: (part: tf.Tensor4D, filter: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const parts = tf.split(x, groups, 3);
  const filters = tf.split(kernel, groups, 3);
  return tf.concat(
    parts.map((part, g) => convolve(part as tf.Tensor4D, filters[g] as tf.Tensor4D)),
    3,
  );
}

/**
 * Rows and columns 0, s, 2s, … of an NHWC tensor, `output` of each (default: as many as there are), through
 * pad + reshape + slice (all differentiable; tfjs has no StridedSlice gradient). Rows, then columns, each
 * in rank-4 tensors: tfjs-webgpu's slice shader cannot index rank-6 coordinates.
 */
export function everyNth(y: tf.Tensor4D, [sh, sw]: [number, number], output?: readonly [number, number]): tf.Tensor4D {
  const [batch, h, w, c] = y.shape;
  const [rows, cols] = output ?? [Math.ceil(h / sh), Math.ceil(w / sw)];
  const padded = tf.pad(y, [
    [0, 0],
    [0, rows * sh - h],
    [0, cols * sw - w],
    [0, 0],
  ]);
  const width = cols * sw;
  const byRow = tf.reshape(padded, [batch, rows, sh, width * c]);
  const keptRows = tf.slice(byRow, [0, 0, 0, 0], [batch, rows, 1, width * c]);
  const byColumn = tf.reshape(keptRows, [batch * rows, cols, sw, c]);
  const kept = tf.slice(byColumn, [0, 0, 0, 0], [batch * rows, cols, 1, c]);
  return tf.reshape(kept, [batch, rows, cols, c]);
}

/**
 * The 0/1 HWIO mask `[kh, kw, depth, filters]` of a partial connection table (LeNet-5's C3):
 * `connections[f]` lists the input channels filter `f` reads.
 */
export function connectionMask(
  connections: readonly (readonly number[])[],
  [kh, kw]: readonly [number, number],
  depth: number,
  filters: number,
): Float32Array {
  const values = new Float32Array(kh * kw * depth * filters);
  connections.forEach((inputs, f) => {
    for (const c of inputs) {
      for (let p = 0; p < kh * kw; p++) values[(p * depth + c) * filters + f] = 1;
    }
  });
  return values;
}

/** A kernel times a constant 0/1 mask: masked entries contribute nothing and get a zero gradient. */
export function masked<T extends tf.Tensor>(kernel: T, mask: Float32Array | undefined): T {
  return mask ? (tf.mul(kernel, tf.tensor(mask, kernel.shape)) as T) : kernel;
}

/**
 * The sum over each window of an NHWC tensor (zeros of `padding` included): tfjs has no sum pool,
 * and a window's sum is its size times the average over the (padded) input.
 */
export function windowSum(
  x: tf.Tensor4D,
  kernel: [number, number],
  stride: [number, number],
  padding?: ExplicitPadding,
): tf.Tensor4D {
  const input = padding ? (tf.pad(x, padding) as tf.Tensor4D) : x;
  return tf.mul(tf.avgPool(input, kernel, stride, 'valid'), kernel[0] * kernel[1]);
}

/**
 * Average pooling that divides by the whole window, zeros of the explicit `padding` included
 * (ONNX `count_include_pad`); `extended` is that padding plus what ceil mode adds at the end, which
 * never counts. tfjs' avgPool counts no padding, so the explicit part is written into the input first.
 */
export function avgPoolCountingPad(
  x: tf.Tensor4D,
  kernel: [number, number],
  stride: [number, number],
  padding: ExplicitPadding,
  extended: ExplicitPadding,
): tf.Tensor4D {
  const padded = tf.pad(x, padding) as tf.Tensor4D;
  const rest: ExplicitPadding = [
    [0, 0],
    [0, extended[1][1] - padding[1][1]],
    [0, extended[2][1] - padding[2][1]],
    [0, 0],
  ];
  return tf.avgPool(padded, kernel, stride, rest as never);
}

/**
 * Whether the active backend runs the fused conv and matmul kernels as fast as the plain ones. On tfjs' `cpu`
 * and `webgpu` backends FusedConv2D and _FusedMatMul are tfjs' own kernels, which bypass the faster Conv2D and
 * BatchMatMul kernels @convkit/backend registers there (its WGSL conv wins on few channels); native, wasm and
 * cuda fuse for real.
 *
 * @example
 * ```ts
 * await initBackend('wasm'); // @convkit/backend
 * fusesHere(); // true: convBiasActivation and matMulBiasActivation are one kernel here
 * ```
 */
export function fusesHere(): boolean {
  const backend = tf.getBackend();
  return backend !== 'cpu' && backend !== 'webgpu';
}

/** The activations a fused conv or matmul kernel applies here, with a gradient (the others run as their own op). */
export type FusedActivation = 'linear' | 'relu';

/**
 * dy through the fused activation, from the kernel's output y: ReLU passes where y > 0, as where its input
 * is > 0, so Relu's registered gradient taken at y is the fused one's (a backend may register a one-kernel
 * Relu gradient; tfjs' own is dy·step).
 */
function throughActivation(dy: tf.Tensor, y: tf.Tensor, activation: unknown): tf.Tensor {
  if (activation !== 'relu') return dy;
  const relu = tf.getGradient(tf.Relu);
  return relu ? (relu.gradFunc(dy, [y], {}) as { x: () => tf.Tensor }).x() : tf.mul(dy, tf.step(y));
}

/**
 * Gradients for tfjs' FusedConv2D and _FusedMatMul kernels, registered once. tfjs' own fused ops
 * stop fusing a ReLU while gradients are recorded, and their custom gradient computes every input's
 * gradient, the network input's too; a kernel gradient is lazy per input, like the unfused ops' gradients.
 */
function registerFusedGradients(): void {
  if (tf.getGradient(tf.FusedConv2D)) return;
  tf.registerGradient({
    kernelName: tf.FusedConv2D,
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const { strides, pad, dimRoundingMode, activation } = attrs as unknown as tf.FusedConv2DAttrs;
      const dyA = throughActivation(dy as tf.Tensor, y, activation) as tf.Tensor4D;
      const geometry = { strides, pad, dataFormat: 'NHWC', dimRoundingMode };
      return {
        x: () =>
          tf.engine().runKernel(tf.Conv2DBackpropInput, { dy: dyA, filter }, { ...geometry, inputShape: x.shape }),
        filter: () =>
          tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy: dyA }, { ...geometry, filterShape: filter.shape }),
        bias: () => tf.sum(dyA, [0, 1, 2]),
      } as Record<string, () => tf.Tensor>;
    },
  });
  tf.registerGradient({
    kernelName: tf._FusedMatMul,
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      // Rank 3, as matMulBiasActivation calls it (and tfjs' fused matMul), without transposes.
      const [a, b, y] = saved as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
      const { activation } = attrs as unknown as tf._FusedMatMulAttrs;
      const dyA = throughActivation(dy as tf.Tensor, y, activation) as tf.Tensor3D;
      return {
        a: () => tf.matMul(dyA, b, false, true),
        b: () => tf.matMul(a, dyA, true, false),
        bias: () => tf.sum(dyA, [0, 1]),
      };
    },
  });
}

/** The attributes tfjs' FusedConv2D takes (NHWC, no PReLU). */
function fusedConvAttrs(stride: [number, number], padding: ExplicitPadding, activation: FusedActivation) {
  return { strides: stride, pad: padding, dataFormat: 'NHWC', dilations: [1, 1], activation, leakyreluAlpha: 0 };
}

/**
 * `act(conv(x, kernel) + bias)` as one FusedConv2D kernel, forward and (with its registered gradient)
 * backward: a plain convolution (groups 1, dilation 1) with a bias and a linear or ReLU activation.
 * NHWC `x`, HWIO `kernel`; the gradient of each input is computed only when asked for (the network
 * input's is not). Use it where {@link fusesHere} says the backend fuses; elsewhere the unfused ops are faster.
 *
 * @example
 * ```ts
 * const pad: ExplicitPadding = [[0, 0], [2, 2], [2, 2], [0, 0]];
 * const y = convBiasActivation(x, kernel, bias, [1, 1], pad, 'relu'); // LeNet-5's conv1 at 28×28
 * ```
 */
export function convBiasActivation(
  x: tf.Tensor4D,
  kernel: tf.Tensor4D,
  bias: tf.Tensor1D,
  stride: [number, number],
  padding: ExplicitPadding,
  activation: FusedActivation,
): tf.Tensor4D {
  registerFusedGradients();
  const attrs = fusedConvAttrs(stride, padding, activation);
  return tf.engine().runKernel(tf.FusedConv2D, { x, filter: kernel, bias }, attrs as never) as tf.Tensor4D;
}

/**
 * `act(x·w + bias)` as one _FusedMatMul kernel (rank 3 inside, as tfjs' kernels take it), with its registered
 * gradient: `x` `[rows, inner]`, `w` `[inner, units]`, `bias` `[units]`.
 *
 * @example
 * ```ts
 * const hidden = matMulBiasActivation(flat, w, b, 'relu'); // a dense layer 400 → 120 with ReLU
 * ```
 */
export function matMulBiasActivation(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  bias: tf.Tensor1D,
  activation: FusedActivation,
): tf.Tensor2D {
  registerFusedGradients();
  const [rows, inner] = x.shape;
  const units = w.shape[1];
  const attrs = { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 };
  const inputs = { a: tf.reshape(x, [1, rows, inner]), b: tf.reshape(w, [1, inner, units]), bias };
  return tf.reshape(tf.engine().runKernel(tf._FusedMatMul, inputs, attrs as never) as tf.Tensor3D, [rows, units]);
}
