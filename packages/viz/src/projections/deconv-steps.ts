import { ConfigError, type Conv2dConfig, type Layer, type Pool2dConfig } from '@convkit/layers';
import { poolWindow, resolveWindow } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { layerKernel } from '../model-path.js';

/**
 * What a layer becomes in the deconvnet (Zeiler & Fergus 2014, §2.1): a
 * convolution its transposed filters (after rectifying, when it ends in a
 * ReLU), a max pool its unpooling, a ReLU a rectification, and a layer that
 * is the identity at inference (dropout, a linear activation) itself.
 */
export type DeconvKind = 'conv' | 'maxPool' | 'relu' | 'identity' | 'passThrough';

/** Where each max-pool output came from, recorded in the forward pass: the "switches". */
export interface Switches {
  /** Flat indices (in the pool's output) of the outputs whose window holds an input element. */
  from: Int32Array;
  /** For each of those, the flat index (in the pool's input) of the window's maximum: the first, row-major. */
  to: Int32Array;
}

/** One layer of the forward pass, as the backward pass needs it. */
export interface DeconvStep {
  layer: Layer;
  kind: DeconvKind;
  /** The layer's input shape (NHWC, batch included). */
  input: [number, number, number, number];
  /** A convolution that ends in a ReLU: rectify before the transposed filters. */
  rectify?: boolean;
  switches?: Switches;
}

const SUPPORTED =
  'the deconvnet inverts conv2d (linear or relu), maxPool2d, relu or linear activations and dropout (Zeiler & Fergus §2.1): list a shape-preserving layer (e.g. lrn) in passThrough to send the signal back through it unchanged, or use saliency or guidedBackprop';

/**
 * The chain of leaf layers from the model's input to `layer` (sequential
 * containers opened, through `layerPath`), each with its deconvnet kind; a
 * typed error names the first layer that has no deconvnet inverse, and its
 * kind. Layers whose type or name is in `passThrough` pass the signal back unchanged.
 */
export function deconvChain(
  path: readonly Layer[],
  passThrough: readonly string[] = [],
): { layer: Layer; kind: DeconvKind; rectify: boolean }[] {
  const leaves = path.flatMap(function open(l: Layer): Layer[] {
    return l.type === 'sequential' ? l.children.flatMap(open) : [l];
  });
  return leaves.map((layer) => ({ layer, ...kindOf(layer, passThrough) }));
}

function kindOf(layer: Layer, passThrough: readonly string[]): { kind: DeconvKind; rectify: boolean } {
  if (passThrough.includes(layer.type) || passThrough.includes(layer.name))
    return { kind: 'passThrough', rectify: false };
  const config = layer.config as { activation?: string; fn?: string };
  if (layer.type === 'conv2d' && (config.activation ?? 'linear') === 'linear') return { kind: 'conv', rectify: false };
  if (layer.type === 'conv2d' && config.activation === 'relu') return { kind: 'conv', rectify: true };
  if (layer.type === 'maxPool2d') return { kind: 'maxPool', rectify: false };
  if (layer.type === 'activation' && config.fn === 'relu') return { kind: 'relu', rectify: false };
  if (layer.type === 'activation' && config.fn === 'linear') return { kind: 'identity', rectify: false };
  if (layer.type === 'dropout') return { kind: 'identity', rectify: false };
  const detail = config.activation ?? config.fn;
  throw new ConfigError(layer.name, `${layer.type}${detail ? ` (${detail})` : ''} cannot be inverted: ${SUPPORTED}`);
}

/**
 * Records a max pool's switches from its input (one asynchronous read): for
 * each output, where in its window the maximum was. Ties go to the first
 * element in row-major window order; windows past the borders skip the padding.
 */
export async function recordSwitches(layer: Layer, input: tf.Tensor4D): Promise<Switches> {
  const [n, h, w, c] = input.shape;
  const { kernel, stride, padding = 0, ceilMode = false } = layer.config as Pool2dConfig;
  const win = resolveWindow(layer.name, [h, w], poolWindow({ kernel, stride, padding, ceilMode }));
  const [oh, ow] = win.output;
  const [[top], [left]] = win.padding;
  const values = await input.data();
  const from: number[] = [];
  const to: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          for (let ky = 0; ky < win.kernel[0]; ky++) {
            const iy = oy * win.stride[0] - top + ky * win.dilation[0];
            if (iy < 0 || iy >= h) continue;
            for (let kx = 0; kx < win.kernel[1]; kx++) {
              const ix = ox * win.stride[1] - left + kx * win.dilation[1];
              if (ix < 0 || ix >= w) continue;
              const at = ((b * h + iy) * w + ix) * c + ch;
              if (best < 0 || (values[at] as number) > (values[best] as number)) best = at;
            }
          }
          if (best < 0) continue;
          from.push(((b * oh + oy) * ow + ox) * c + ch);
          to.push(best);
        }
      }
    }
  }
  return { from: Int32Array.from(from), to: Int32Array.from(to) };
}

/** Unpooling: each output's signal goes back to where its maximum was; overlapping windows add up. */
export function unpool(signal: tf.Tensor, switches: Switches, input: readonly number[]): tf.Tensor {
  return tf.tidy(() => {
    const size = input.reduce((a, b) => a * b, 1);
    const updates = tf.gather(tf.reshape(signal, [-1]), tf.tensor1d(switches.from, 'int32'));
    const indices = tf.tensor2d(switches.to, [switches.to.length, 1], 'int32');
    return tf.reshape(tf.scatterND(indices, updates, [size]), [...input]);
  });
}

/**
 * The convolution's filters transposed (flipped and with input and output
 * channels swapped): `conv2dTranspose` with the layer's own HWIO kernel,
 * stride and padding, back to its input shape. The bias is left out, as in
 * Zeiler & Fergus. Groups run one transposed convolution per group; a
 * dilated kernel is spread out with zeros; a connection table masks the kernel.
 */
export function transposedConv(
  layer: Layer,
  signal: tf.Tensor4D,
  input: [number, number, number, number],
): tf.Tensor4D {
  const { kernel, stride = 1, padding = 0, dilation = 1, groups = 1, connections } = layer.config as Conv2dConfig;
  const [n, h, w, depth] = input;
  const win = resolveWindow(layer.name, [h, w], { kernel, stride, padding, dilation });
  return tf.tidy(() => {
    let k = layerKernel(layer, layer.name) as unknown as tf.Tensor4D;
    if (connections) k = tf.mul(k, connectionMask(connections, depth, k.shape[3]));
    k = dilate(k, win.dilation);
    const pad = [[0, 0], win.padding[0], win.padding[1], [0, 0]] as tf.backend_util.ExplicitPadding;
    if (groups === 1) return tf.conv2dTranspose(signal, k, input, win.stride, pad);
    const signals = tf.split(signal, groups, 3) as tf.Tensor4D[];
    const kernels = tf.split(k, groups, 3) as tf.Tensor4D[];
    const part = [n, h, w, depth / groups] as [number, number, number, number];
    return tf.concat4d(
      signals.map((s, g) => tf.conv2dTranspose(s, kernels[g] as tf.Tensor4D, part, win.stride, pad)),
      3,
    );
  });
}

/** `[1, 1, depth, filters]`: 1 where filter f reads input channel i (LeNet-5's C3 table). */
function connectionMask(connections: number[][], depth: number, filters: number): tf.Tensor4D {
  const mask = new Float32Array(depth * filters);
  connections.forEach((inputs, f) => {
    for (const i of inputs) mask[i * filters + f] = 1;
  });
  return tf.tensor4d(mask, [1, 1, depth, filters]);
}

/** A dilated HWIO kernel as the plain kernel it equals: `dilation − 1` zeros between taps. */
function dilate(k: tf.Tensor4D, [dh, dw]: [number, number]): tf.Tensor4D {
  if (dh === 1 && dw === 1) return k;
  const [kh, kw, i, o] = k.shape;
  const spread = tf.pad(tf.reshape(k, [kh, 1, kw, 1, i, o]), [
    [0, 0],
    [0, dh - 1],
    [0, 0],
    [0, dw - 1],
    [0, 0],
    [0, 0],
  ]);
  const full = tf.reshape(spread, [kh * dh, kw * dw, i, o]);
  return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, i, o]) as tf.Tensor4D;
}

/** One layer of the backward pass: the signal at the layer's output to the signal at its input. */
export function backStep(step: DeconvStep, signal: tf.Tensor): tf.Tensor {
  switch (step.kind) {
    case 'maxPool':
      return unpool(signal, step.switches as Switches, step.input);
    case 'relu':
      return tf.relu(signal);
    case 'conv':
      return transposedConv(step.layer, (step.rectify ? tf.relu(signal) : signal) as tf.Tensor4D, step.input);
    default:
      return tf.clone(signal);
  }
}
