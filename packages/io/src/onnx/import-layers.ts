import { effectiveKernel, windowOutputSize } from '@convkit/shape';
import { FormatError, UnsupportedError } from '../errors.js';
import { denseFromTorch, oihwToHwio } from '../layout.js';
import { type Attributes, windowPadding } from './attributes.js';
import type { OnnxNode } from './decode.js';
import { type Converted, type Flow, type ImportContext, spatial, vector, weightFrom } from './import-context.js';
import { isFlatten } from './import-shape.js';
import { describeNode, type StaticTensor, transpose2d } from './statics.js';

/** The weighted and windowed ONNX ops as convkit layers: Conv, Gemm / MatMul, pools, BatchNormalization. */

const FUSED: Record<string, string> = { Relu: 'relu', Tanh: 'tanh', Sigmoid: 'sigmoid' };

/** Relu, Tanh or Sigmoid right after a convolution or dense layer (and read by nothing else) becomes its fused activation. */
function fusedActivation(ctx: ImportContext, node: OnnxNode): { activation?: string; last: OnnxNode } {
  const user = ctx.soleUser(node.outputs[0] ?? '');
  const fn = user && user.inputs.length === 1 && Object.hasOwn(FUSED, user.op) ? FUSED[user.op] : undefined;
  if (!user || !fn || (user.domain !== '' && user.domain !== 'ai.onnx')) return { last: node };
  ctx.checkExtraOutputs(user);
  return { activation: fn, last: user };
}

export function conv(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  const [h, w, channels] = spatial(node, flow);
  const kernel = ctx.statics.weight(node, 1, 'kernel');
  if (kernel.dims.length !== 4) {
    throw new UnsupportedError(
      describeNode(node),
      `kernel dims [${kernel.dims.join(', ')}]: convkit convolutions are 2-D (OIHW)`,
    );
  }
  const [filters = 0, depth = 0, kh = 0, kw = 0] = kernel.dims;
  const groups = a.int('group', 1);
  if (groups < 1 || depth * groups !== channels || filters % groups !== 0 || filters === 0 || kh === 0 || kw === 0) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: kernel [${kernel.dims.join(', ')}] with group ${groups} does not fit ${channels} input channels`,
    );
  }
  const shape = a.positive('kernel_shape', [kh, kw], 2) as number[];
  if (shape[0] !== kh || shape[1] !== kw) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: kernel_shape [${shape.join(', ')}] differs from the kernel's [${kh}, ${kw}]`,
    );
  }
  const stride = a.positive('strides', [1, 1], 2) as number[];
  const dilation = a.positive('dilations', [1, 1], 2) as number[];
  const padding = windowPadding(a, node, ctx.file, [h, w], [kh, kw], stride, dilation);
  const out = windowOutput(ctx, node, [h, w], [kh, kw], stride, dilation, padding.pads, false);
  const name = ctx.layerName(node);
  ctx.addWeight(
    node,
    `${name}/kernel`,
    weightFrom(kernel, [kh, kw, depth, filters], (v) => oihwToHwio(v, kernel.dims)),
  );
  const added = node.inputs[2] ? undefined : biasAdd(ctx, node, filters);
  const bias = node.inputs[2] ? ctx.statics.weight(node, 2, 'bias') : added?.source;
  if (bias) ctx.addWeight(node, `${name}/bias`, vector(ctx, node, bias, filters, 'bias'));
  const { activation, last } = fusedActivation(ctx, added?.node ?? node);
  // The weights are assigned right after build: a zero initializer saves drawing random ones.
  const config: Record<string, unknown> = {
    name,
    filters,
    kernel: [kh, kw],
    stride,
    padding: padding.config,
    dilation,
    groups,
    bias: !!bias,
    kernelInit: 'zeros',
  };
  if (activation) config.activation = activation;
  return { layers: [{ type: 'conv2d', config }], flow: { value: last.outputs[0] ?? '', shape: [...out, filters] } };
}

/** An Add of a per-channel constant right after a bias-less Conv (Caffe2's and some converters' bias): the bias. */
function biasAdd(ctx: ImportContext, node: OnnxNode, filters: number) {
  const add = ctx.soleUser(node.outputs[0] ?? '');
  if (add?.op !== 'Add' || add.inputs.length !== 2) return undefined;
  const other = add.inputs.find((i) => i !== node.outputs[0]);
  const source = other === undefined ? undefined : ctx.statics.get(other);
  if (!source || !perChannel(source, filters, 3)) return undefined;
  ctx.checkExtraOutputs(add);
  return { node: add, source };
}

/** The output `[h, w]` of a window, or a `FormatError` when the window does not fit the padded input. */
function windowOutput(
  ctx: ImportContext,
  node: OnnxNode,
  [h, w]: readonly number[],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
  [top, left, bottom, right]: readonly number[],
  ceil: boolean,
): [number, number] {
  const axis = (k: 0 | 1, n: number, pads: [number, number]) =>
    windowOutputSize(n, effectiveKernel(kernel[k] as number, dilation[k] as number), stride[k] as number, pads, ceil);
  const oh = axis(0, h ?? 0, [top ?? 0, bottom ?? 0]);
  const ow = axis(1, w ?? 0, [left ?? 0, right ?? 0]);
  if (!(oh >= 1 && ow >= 1)) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: a ${kernel.join('×')} window (dilation ${dilation.join('×')}) does not fit the ${h}×${w} input padded by [${[top, left, bottom, right].join(', ')}]`,
    );
  }
  return [oh, ow];
}

export function dense(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  if (flow.shape.length !== 1) {
    throw new UnsupportedError(
      describeNode(node),
      `needs a [N, features] input, receives [N, ${flow.shape.join(', ')}]: flatten first`,
    );
  }
  const features = flow.shape[0] as number;
  const gemm = node.op === 'Gemm';
  if (gemm && a.int('transA', 0) !== 0)
    throw new UnsupportedError(describeNode(node), 'transA 1: convkit multiplies the data from the left');
  const transB = gemm && a.int('transB', 0) === 1;
  const alpha = gemm ? a.float('alpha', 1) : 1;
  const beta = gemm ? a.float('beta', 1) : 1;
  const weights = ctx.statics.weight(node, 1, 'weights');
  const [rows = 0, cols = 0] = weights.dims;
  const [inputs, units] = transB ? [cols, rows] : [rows, cols];
  if (weights.dims.length !== 2 || inputs !== features || units === 0) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: weights [${weights.dims.join(', ')}]${transB ? ' (transB)' : ''} do not take ${features} features`,
    );
  }
  const name = ctx.layerName(node);
  const order = flow.order;
  ctx.addWeight(
    node,
    `${name}/kernel`,
    weightFrom(weights, [features, units], (v) => {
      const torch = transB ? v : transpose2d(v, rows, cols);
      const kernel = denseFromTorch(torch, [units, features], order);
      if (alpha !== 1) for (let i = 0; i < kernel.length; i++) kernel[i] = (kernel[i] as number) * alpha;
      return kernel;
    }),
  );
  let last = node;
  let bias: StaticTensor | undefined;
  if (gemm && node.inputs[2]) bias = ctx.statics.weight(node, 2, 'bias');
  else if (!gemm) {
    const add = ctx.soleUser(node.outputs[0] ?? '');
    const other = add?.op === 'Add' ? add.inputs.find((i) => i !== node.outputs[0]) : undefined;
    const source = other === undefined ? undefined : ctx.statics.get(other);
    if (add && source) {
      ctx.checkExtraOutputs(add);
      bias = source;
      last = add;
    }
  }
  if (bias) {
    const b = vector(ctx, node, bias, units, 'bias');
    ctx.addWeight(node, `${name}/bias`, { ...b, read: () => b.read().map((v) => v * beta) });
  }
  const fused = fusedActivation(ctx, last);
  const config: Record<string, unknown> = { name, units, bias: !!bias, kernelInit: 'zeros' };
  if (fused.activation) config.activation = fused.activation;
  return { layers: [{ type: 'dense', config }], flow: { value: fused.last.outputs[0] ?? '', shape: [units] } };
}

export function pool(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  const [h, w, channels] = spatial(node, flow);
  const kernel = a.positive('kernel_shape', undefined, 2);
  if (!kernel) throw new FormatError(ctx.file, node.offset, `${describeNode(node)} has no kernel_shape`);
  const stride = a.positive('strides', [1, 1], 2) as number[];
  const dilation = a.positive('dilations', [1, 1], 2) as number[];
  if (dilation.some((d) => d !== 1))
    throw new UnsupportedError(describeNode(node), `dilations [${dilation.join(', ')}]: convkit pools are not dilated`);
  const ceilMode = a.int('ceil_mode', 0) === 1;
  const padding = windowPadding(a, node, ctx.file, [h, w], kernel, stride, dilation);
  if (padding.pads.some((p, k) => p >= (kernel[k % 2] as number))) {
    throw new FormatError(
      ctx.file,
      node.offset,
      `${describeNode(node)}: pads [${padding.pads.join(', ')}] must be smaller than the ${kernel.join('×')} window`,
    );
  }
  const out = windowOutput(ctx, node, [h, w], kernel, stride, dilation, padding.pads, ceilMode);
  const config: Record<string, unknown> = {
    name: ctx.layerName(node),
    kernel,
    stride,
    padding: padding.config,
    ceilMode,
  };
  const type = node.op === 'MaxPool' ? 'maxPool2d' : 'avgPool2d';
  if (type === 'avgPool2d') config.countIncludePad = a.int('count_include_pad', 0) === 1;
  return { layers: [{ type, config }], flow: { value: node.outputs[0] ?? '', shape: [...out, channels] } };
}

/** A global pool; followed by a flatten it is convkit's GlobalPool2d, otherwise a pool over the whole map (keeping `[1, 1, c]`). */
export function globalPool(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted {
  const [h, w, channels] = spatial(node, flow);
  const mode = node.op === 'GlobalMaxPool' ? 'max' : 'avg';
  const user = ctx.soleUser(node.outputs[0] ?? '');
  if (user && isFlatten(ctx, user, [1, 1, channels])) {
    ctx.checkExtraOutputs(user);
    return {
      layers: [{ type: 'globalPool2d', config: { name: ctx.layerName(node), mode } }],
      flow: { value: user.outputs[0] ?? '', shape: [channels] },
    };
  }
  const config = { name: ctx.layerName(node), kernel: [h, w], stride: [h, w] };
  return {
    layers: [{ type: mode === 'max' ? 'maxPool2d' : 'avgPool2d', config }],
    flow: { value: node.outputs[0] ?? '', shape: [1, 1, channels] },
  };
}

export function batchNorm(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  if (flow.nhwc || flow.order)
    throw new UnsupportedError(describeNode(node), 'normalizes a transposed or flattened map, which convkit does not');
  const channels = flow.shape.at(-1) as number;
  if (a.int('training_mode', 0) !== 0 || a.int('spatial', 1) !== 1) {
    throw new UnsupportedError(
      describeNode(node),
      'training_mode 1 or spatial 0: convkit reads inference-mode, per-channel batch norm',
    );
  }
  const name = ctx.layerName(node);
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) =>
    vector(
      ctx,
      node,
      ctx.statics.weight(node, k, ['scale', 'B', 'mean', 'var'][k - 1] as string),
      channels,
      'statistic',
    ),
  );
  let scaled = gamma as ReturnType<typeof vector>;
  let shifted = beta as ReturnType<typeof vector>;
  let last = node;
  // A per-channel Mul and Add right after (Caffe's Scale layer, as BN-Inception and DenseNet convert) fold into γ and β.
  for (const op of ['Mul', 'Add'] as const) {
    const user = ctx.soleUser(last.outputs[0] ?? '');
    if (user?.op !== op || user.inputs.length !== 2) continue;
    const other = user.inputs.find((i) => i !== last.outputs[0]);
    const source = other === undefined ? undefined : ctx.statics.get(other);
    if (!source || !perChannel(source, channels, flow.shape.length)) continue;
    const factor = vector(ctx, user, source, channels, op === 'Mul' ? 'scale' : 'shift');
    const [g, b] = [scaled, shifted];
    if (op === 'Mul') {
      scaled = { ...g, read: () => multiply(g.read(), factor.read()) };
      shifted = { ...b, read: () => multiply(b.read(), factor.read()) };
    } else shifted = { ...b, read: () => add(b.read(), factor.read()) };
    ctx.checkExtraOutputs(user);
    last = user;
  }
  ctx.addWeight(node, `${name}/gamma`, scaled);
  ctx.addWeight(node, `${name}/beta`, shifted);
  ctx.addWeight(node, `${name}/movingMean`, mean as ReturnType<typeof vector>);
  ctx.addWeight(node, `${name}/movingVariance`, variance as ReturnType<typeof vector>);
  const momentum = a.float('momentum', 0.9);
  const epsilon = a.float('epsilon', 1e-5);
  if (!(epsilon > 0))
    throw new FormatError(ctx.file, node.offset, `${describeNode(node)}: epsilon ${epsilon} must be > 0`);
  const config = { name, epsilon, momentum: momentum >= 0 && momentum < 1 ? momentum : 0.9 };
  return { layers: [{ type: 'batchNorm', config }], flow: { ...flow, value: last.outputs[0] ?? '' } };
}

/** Whether a static tensor broadcasts along the channels of an NCHW map (`[C, 1, 1]`, `[1, C, 1, 1]`) or of `[N, C]`, or is one value. */
function perChannel(t: StaticTensor, channels: number, rank: number): boolean {
  if (t.count === 1) return true;
  const dims = t.dims.slice(t.dims[0] === 1 && t.dims.length === rank + 1 ? 1 : 0);
  return t.count === channels && dims[0] === channels && dims.length === rank;
}

const multiply = (x: Float32Array, y: Float32Array) => x.map((v, i) => v * (y[i] as number));
const add = (x: Float32Array, y: Float32Array) => x.map((v, i) => v + (y[i] as number));
