import type { LayerSpec, Padding2d, Shape, Size2 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { type ActivationName, activate, checkActivation } from './activation.js';
import type { Initializer } from './initializers.js';
import { type BaseConfig, Layer, type WeightSpec } from './layer.js';
import { connectionMask, conv2d, convBiasActivation, fusesHere, masked } from './ops.js';
import { placeWindow } from './window.js';

/** Options of {@link Conv2d}. */
export interface Conv2dConfig extends BaseConfig {
  /** Number of filters: the output depth. */
  filters: number;
  /** Kernel size, a number or `[height, width]`. A 1×1 convolution is `kernel: 1`. */
  kernel: Size2;
  /** Default 1. */
  stride?: Size2;
  /** A number (all sides), `'valid'`, `'same'`, `'same-lower'`, or `[height, width]` of numbers or `[before, after]`. Default 0. */
  padding?: Padding2d;
  /** Default 1. */
  dilation?: Size2;
  /** Channel groups (AlexNet's two towers: 2; depthwise: the input channels). Default 1. */
  groups?: number;
  /**
   * A partial connection table (LeNet-5's C3): `connections[f]` lists the
   * input channels filter `f` reads, one row per filter, distinct indices;
   * needs `groups: 1`. The kernel stays a full HWIO variable
   * `[kh, kw, C, filters]` multiplied by a constant 0/1 mask, so unconnected
   * entries start at zero, get no gradient and never affect the output; the
   * parameter count (summary, shape math) is the connected count only.
   * The initializer's fan-in is the full depth `kh·kw·C`.
   */
  connections?: number[][];
  /** Default true. */
  bias?: boolean;
  /** Fused activation. Default 'linear'. */
  activation?: ActivationName;
  /** Default 'heNormal'. */
  kernelInit?: Initializer;
  /** Default 'zeros'. */
  biasInit?: Initializer;
}

/**
 * Convolution over a volume: `filters` filters of `kernel × kernel × (C / groups)`
 * slide over an NHWC input with the given stride, padding and dilation.
 * The kernel is HWIO: `[kh, kw, C / groups, filters]`. With `connections`
 * (LeNet-5's C3) each filter reads only its listed input channels.
 *
 * @example
 * ```ts
 * const conv = new Conv2d({ filters: 100, kernel: 3, padding: 'same' });
 * conv.outputShape([28, 28, 3]); // [28, 28, 100] — 2,800 parameters
 * // Filter 0 reads channels 0 and 1, filter 1 reads channel 2: 2·9 + 9 + 2 = 29 parameters.
 * new Conv2d({ filters: 2, kernel: 3, connections: [[0, 1], [2]] });
 * ```
 */
export class Conv2d extends Layer<Conv2dConfig> {
  readonly type = 'conv2d';
  /** The connection table's mask, cached for the input depth it was made for. */
  private mask: { depth: number; values: Float32Array } | undefined;

  constructor(config: Conv2dConfig) {
    super(config);
    checkActivation(this.name, config.activation ?? 'linear');
  }

  specs(_input: Shape): LayerSpec[] {
    const { filters, kernel, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true } = this.config;
    const { activation, connections } = this.config;
    const spec: LayerSpec = {
      type: 'conv',
      name: this.name,
      filters,
      kernel,
      stride,
      padding,
      dilation,
      groups,
      bias,
      ...(connections ? { connections } : {}),
    };
    return [activation ? { ...spec, activation } : spec];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const { filters, kernel, groups = 1, bias = true, kernelInit = 'heNormal', biasInit = 'zeros' } = this.config;
    const [kh, kw] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
    const depth = (input[2] as number) / groups;
    const weights: WeightSpec[] = [
      { name: 'kernel', shape: [kh, kw, depth, filters], trainable: true, init: kernelInit },
    ];
    if (bias) weights.push({ name: 'bias', shape: [filters], trainable: true, init: biasInit });
    return weights;
  }

  /** Zeroes the unconnected kernel entries, so the stored weights read as the table says. */
  protected override onBuild(input: Shape): void {
    const mask = this.connectionMask(input[2] as number);
    if (!mask) return;
    const kernel = this.weight('kernel');
    tf.tidy(() => kernel.assign(masked(kernel, mask)));
  }

  /** The 0/1 HWIO mask of a connection table (`undefined` without one), computed once per depth. */
  private connectionMask(depth: number): Float32Array | undefined {
    const { connections, kernel, filters } = this.config;
    if (!connections) return undefined;
    if (this.mask?.depth !== depth) {
      const size: readonly [number, number] = typeof kernel === 'number' ? [kernel, kernel] : kernel;
      this.mask = { depth, values: connectionMask(connections, size, depth, filters) };
    }
    return this.mask.values;
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const input = x as tf.Tensor4D;
    const { kernel, stride = 1, padding = 0, dilation = 1, groups = 1, bias = true, activation } = this.config;
    const place = placeWindow(this.name, [input.shape[1], input.shape[2]], { kernel, stride, padding, dilation });
    const weights = masked(this.weight('kernel') as unknown as tf.Tensor4D, this.connectionMask(input.shape[3]));
    const act = activation ?? 'linear';
    // The common layer (conv + bias + ReLU or nothing) is one fused kernel, forward and backward.
    const plain = groups === 1 && place.dilation.every((d) => d === 1);
    if (bias && plain && (act === 'relu' || act === 'linear') && fusesHere()) {
      const b = this.weight('bias') as unknown as tf.Tensor1D;
      return convBiasActivation(input, weights, b, place.stride, place.padding, act);
    }
    const y = conv2d(input, weights, { ...place, groups });
    return activate(act, bias ? tf.add(y, this.weight('bias')) : y);
  }
}
