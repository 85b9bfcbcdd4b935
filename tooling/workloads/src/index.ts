// The benchmark workloads, written with raw tfjs-core ops so that they run
// before (and independently of) @convkit/layers: the same networks that the
// PyTorch and ONNX Runtime peers run. NHWC activations, HWIO weights. A caller
// may pass the layers' fused ops (`LayerOps`): the bench does, on the backends
// that fuse, to time what @convkit/layers users run.
import * as tf from '@tensorflow/tfjs-core';
import type { StepOptimizer } from './momentum.js';

export { type StepOptimizer, sgdMomentum } from './momentum.js';

/** A variable holding `initial`, which it takes over (the initial tensor is disposed). */
function own(initial: tf.Tensor, name: string): tf.Variable {
  const variable = tf.variable(initial, true, name);
  initial.dispose();
  return variable;
}

/** He-normal weights, seeded, as a named variable. */
function weight(shape: number[], fanIn: number, seed: number, name: string): tf.Variable {
  return own(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed), name);
}

function bias(size: number, name: string): tf.Variable {
  return own(tf.zeros([size]), name);
}

interface Conv {
  kernel: number;
  filters: number;
  stride?: number;
  pad?: number;
}

/** A convolution's weights for `inChannels` → `filters`. */
function convParams(c: Conv, inChannels: number, seed: number, name: string) {
  return {
    w: weight([c.kernel, c.kernel, inChannels, c.filters], c.kernel * c.kernel * inChannels, seed, `${name}/w`),
    b: bias(c.filters, `${name}/b`),
  };
}

/** NHWC padding as tfjs' explicit form. */
export type Padding = [[0, 0], [number, number], [number, number], [0, 0]];

/**
 * How a network computes `relu(conv(x, w) + b)` and `act(x·w + b)`. The default is
 * tfjs-core's ops one by one; @convkit/layers' `convBiasActivation` and
 * `matMulBiasActivation` fit this shape (one kernel each, forward and backward).
 */
export interface LayerOps {
  conv(x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, stride: [number, number], pad: Padding): tf.Tensor4D;
  dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, activation: 'relu' | 'linear'): tf.Tensor2D;
}

/** tfjs-core's ops one by one: a convolution or product, the bias, the ReLU. */
export const unfusedOps: LayerOps = {
  conv: (x, w, b, stride, pad) => tf.relu(tf.add(tf.conv2d(x, w, stride, pad), b)),
  dense: (x, w, b, activation) => {
    const y = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
    return activation === 'relu' ? tf.relu(y) : y;
  },
};

function conv(x: tf.Tensor4D, p: { w: tf.Variable; b: tf.Variable }, c: Conv, ops: LayerOps): tf.Tensor4D {
  const pad = c.pad ?? 0;
  const stride = c.stride ?? 1;
  const padding: Padding = [
    [0, 0],
    [pad, pad],
    [pad, pad],
    [0, 0],
  ];
  return ops.conv(x, p.w as tf.Tensor4D, p.b as tf.Tensor1D, [stride, stride], padding);
}

function dense(x: tf.Tensor2D, p: { w: tf.Variable; b: tf.Variable }, relu: boolean, ops: LayerOps): tf.Tensor2D {
  return ops.dense(x, p.w as tf.Tensor2D, p.b as tf.Tensor1D, relu ? 'relu' : 'linear');
}

function denseParams(inFeatures: number, units: number, seed: number, name: string) {
  return { w: weight([inFeatures, units], inFeatures, seed, `${name}/w`), b: bias(units, `${name}/b`) };
}

/** A network: its variables, a forward pass, and how to dispose it. */
export interface Network {
  name: string;
  input: [number, number, number];
  variables: tf.Variable[];
  forward(x: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

function network(
  name: string,
  input: Network['input'],
  variables: Record<string, { w: tf.Variable; b: tf.Variable }>,
  forward: Network['forward'],
): Network {
  const list = Object.values(variables).flatMap((p) => [p.w, p.b]);
  return {
    name,
    input,
    variables: list,
    forward,
    dispose: () => {
      for (const v of list) v.dispose();
    },
  };
}

/**
 * LeNet-5 as usually trained on MNIST: 28×28×1, conv 6@5×5 (pad 2), max
 * pool, conv 16@5×5, max pool, 120, 84, 10; ReLU.
 */
export function lenet5(seed = 1, ops: LayerOps = unfusedOps): Network {
  const p = {
    c1: convParams({ kernel: 5, filters: 6 }, 1, seed, 'c1'),
    c3: convParams({ kernel: 5, filters: 16 }, 6, seed + 1, 'c3'),
    f5: denseParams(400, 120, seed + 2, 'f5'),
    f6: denseParams(120, 84, seed + 3, 'f6'),
    out: denseParams(84, 10, seed + 4, 'out'),
  };
  return network('lenet5', [28, 28, 1], p, (x) => {
    let h = tf.maxPool(conv(x, p.c1, { kernel: 5, filters: 6, pad: 2 }, ops), 2, 2, 'valid');
    h = tf.maxPool(conv(h, p.c3, { kernel: 5, filters: 16 }, ops), 2, 2, 'valid');
    const flat = tf.reshape(h, [h.shape[0], 400]) as tf.Tensor2D;
    return dense(dense(dense(flat, p.f5, true, ops), p.f6, true, ops), p.out, false, ops);
  });
}

/** The side of AlexNet's last feature map for an input side: conv1 (11/4, pad 2) and three 3/2 pools. */
function alexnetMapSide(side: number): number {
  const pool = (n: number) => Math.floor((n - 3) / 2) + 1;
  return pool(pool(pool(Math.floor((side + 4 - 11) / 4) + 1)));
}

/**
 * AlexNet as torchvision builds it (single tower, 64-192-384-256-256), 224×224×3.
 * A smaller `side` (at least 63) keeps the layers and changes fc6's input width,
 * for profiling a training step where a full-size one is too slow (a software GPU).
 */
export function alexnet(seed = 1, side = 224, ops: LayerOps = unfusedOps): Network {
  const map = alexnetMapSide(side);
  if (map < 1) throw new RangeError(`alexnet: an input side of at least 63 is needed, received ${side}`);
  const convs: Conv[] = [
    { kernel: 11, filters: 64, stride: 4, pad: 2 },
    { kernel: 5, filters: 192, pad: 2 },
    { kernel: 3, filters: 384, pad: 1 },
    { kernel: 3, filters: 256, pad: 1 },
    { kernel: 3, filters: 256, pad: 1 },
  ];
  const p: Record<string, { w: tf.Variable; b: tf.Variable }> = {};
  let channels = 3;
  convs.forEach((c, i) => {
    p[`conv${i + 1}`] = convParams(c, channels, seed + i, `conv${i + 1}`);
    channels = c.filters;
  });
  p.fc6 = denseParams(map * map * 256, 4096, seed + 10, 'fc6');
  p.fc7 = denseParams(4096, 4096, seed + 11, 'fc7');
  p.fc8 = denseParams(4096, 1000, seed + 12, 'fc8');
  const at = (k: string) => p[k] as { w: tf.Variable; b: tf.Variable };
  return network('alexnet', [side, side, 3], p, (x) => {
    const layer = (input: tf.Tensor4D, i: number) => conv(input, at(`conv${i + 1}`), convs[i] as Conv, ops);
    let h = tf.maxPool(layer(x, 0), 3, 2, 'valid');
    h = tf.maxPool(layer(h, 1), 3, 2, 'valid');
    h = tf.maxPool(layer(layer(layer(h, 2), 3), 4), 3, 2, 'valid');
    const flat = tf.reshape(h, [h.shape[0], map * map * 256]) as tf.Tensor2D;
    return dense(dense(dense(flat, at('fc6'), true, ops), at('fc7'), true, ops), at('fc8'), false, ops);
  });
}

/** VGG-16 (configuration D), 224×224×3. */
export function vgg16(seed = 1, ops: LayerOps = unfusedOps): Network {
  const config = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'] as const;
  const p: Record<string, { w: tf.Variable; b: tf.Variable }> = {};
  let channels = 3;
  config.forEach((v, i) => {
    if (v === 'M') return;
    p[`conv${i}`] = convParams({ kernel: 3, filters: v }, channels, seed + i, `conv${i}`);
    channels = v;
  });
  p.fc6 = denseParams(7 * 7 * 512, 4096, seed + 20, 'fc6');
  p.fc7 = denseParams(4096, 4096, seed + 21, 'fc7');
  p.fc8 = denseParams(4096, 1000, seed + 22, 'fc8');
  const at = (k: string) => p[k] as { w: tf.Variable; b: tf.Variable };
  return network('vgg16', [224, 224, 3], p, (x) => {
    let h = x;
    config.forEach((v, i) => {
      h = v === 'M' ? tf.maxPool(h, 2, 2, 'valid') : conv(h, at(`conv${i}`), { kernel: 3, filters: v, pad: 1 }, ops);
    });
    const flat = tf.reshape(h, [h.shape[0], 7 * 7 * 512]) as tf.Tensor2D;
    return dense(dense(dense(flat, at('fc6'), true, ops), at('fc7'), true, ops), at('fc8'), false, ops);
  });
}

/** A seeded batch of images and one-hot labels for a network. */
export function batchFor(net: Network, batch: number, seed = 7): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const [h, w, c] = net.input;
  const classes = net.name === 'lenet5' ? 10 : 1000;
  return tf.tidy(() => ({
    x: tf.randomUniform([batch, h, w, c], 0, 1, 'float32', seed) as tf.Tensor4D,
    y: tf.cast(
      tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', seed + 1) as tf.Tensor1D, classes),
      'float32',
    ) as tf.Tensor2D,
  }));
}

/**
 * The fused loss's kernel names, as @convkit/backend registers them on native
 * and wasm with the loss's gradient (its gradients/softmax-cross-entropy.ts has
 * the contract; this package cannot import it: @convkit/backend's tests import this one).
 */
const FUSED_LOSS = 'ConvkitSoftmaxCrossEntropy';
const FUSED_LOSS_GRAD = 'ConvkitSoftmaxCrossEntropyGrad';

/**
 * Mean softmax cross-entropy of a network on a batch: one kernel forward and
 * one backward where the backend has convkit's fused loss, tfjs'
 * `losses.softmaxCrossEntropy` (about twenty kernels) elsewhere — the same
 * loss as PyTorch's `cross_entropy`, to float32 rounding.
 */
export function loss(net: Network, x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
  const logits = net.forward(x);
  const backend = tf.getBackend();
  const fused =
    tf.getKernel(FUSED_LOSS, backend) !== undefined &&
    tf.getKernel(FUSED_LOSS_GRAD, backend) !== undefined &&
    tf.getGradient(FUSED_LOSS) !== undefined;
  if (fused) return tf.engine().runKernel(FUSED_LOSS, { logits, labels: y }) as tf.Scalar;
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

/** Gradients of the loss for every variable, by name (the caller disposes them). */
export function gradients(
  net: Network,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.variableGrads(() => loss(net, x, y), net.variables);
}

/**
 * One SGD-with-momentum training step (lr 0.01, momentum 0.9): forward,
 * backward, update. Returns the loss; leaves no tensor behind.
 */
export function trainStep(net: Network, optimizer: StepOptimizer, x: tf.Tensor4D, y: tf.Tensor2D): number {
  const value = optimizer.minimize(() => loss(net, x, y), true, net.variables) as tf.Scalar;
  const result = value.dataSync()[0] as number;
  value.dispose();
  return result;
}

/**
 * `trainStep` that waits for the loss asynchronously: WebGPU in Node cannot
 * read a tensor synchronously (`dataSync` needs OffscreenCanvas there), and
 * awaiting costs the synchronous backends nothing.
 */
export async function trainStepAsync(
  net: Network,
  optimizer: StepOptimizer,
  x: tf.Tensor4D,
  y: tf.Tensor2D,
): Promise<number> {
  const value = optimizer.minimize(() => loss(net, x, y), true, net.variables) as tf.Scalar;
  const result = (await value.data())[0] as number;
  value.dispose();
  return result;
}

/** One 3×3 64→64 convolution on 56×56 (the bench's kernel workload). */
export function conv3x3(batch = 8, seed = 3): { x: tf.Tensor4D; w: tf.Tensor4D; run(): tf.Tensor4D; dispose(): void } {
  const x = tf.randomUniform([batch, 56, 56, 64], -1, 1, 'float32', seed) as tf.Tensor4D;
  const w = tf.randomNormal([3, 3, 64, 64], 0, 0.05, 'float32', seed + 1) as tf.Tensor4D;
  return { x, w, run: () => tf.conv2d(x, w, 1, 'same'), dispose: () => tf.dispose([x, w]) };
}
