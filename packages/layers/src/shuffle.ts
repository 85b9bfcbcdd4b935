import {
  type LayerSpec,
  type Shape,
  shortcutOutput,
  shortcutPadding,
  shuffleOutput,
  sliceOutput,
} from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { checkPositiveInt } from './channel-pool.js';
import { ConfigError } from './errors.js';
import { type BaseConfig, Layer, type LayerShapes } from './layer.js';
import { everyNth } from './ops.js';

// Parameter-free layers that move channels: ShuffleNet's shuffle and split, ResNet's option-A shortcut.

/** Options of {@link ChannelShuffle}. */
export interface ChannelShuffleConfig extends BaseConfig {
  /** The groups the channels are interleaved across (the grouped convolutions' `groups`). */
  groups: number;
}

/** Options of {@link ChannelSlice}. */
export interface ChannelSliceConfig extends BaseConfig {
  /** The first channel kept (from 0). */
  begin: number;
  /** How many channels are kept. */
  size: number;
}

/** Options of {@link Shortcut}. */
export interface ShortcutConfig extends BaseConfig {
  /** Every `stride`-th row and column is kept. */
  stride: number;
  /** Output channels: the input's, plus zero channels (half before, half after). */
  filters: number;
}

/**
 * Channel shuffle (Zhang et al. 2018, ShuffleNet): `[h, w, c]` → the same
 * shape with channels interleaved across `groups`, so the next grouped
 * convolution sees every group — output channel `k` is input channel
 * `(k mod g)·(c/g) + ⌊k/g⌋`. Computed as reshape `[…, g, c/g]`, swap the
 * last two axes, reshape back (ONNX's Reshape→Transpose→Reshape in NCHW).
 *
 * @example
 * ```ts
 * new ChannelShuffle({ groups: 4 }).outputShape([28, 28, 240]); // [28, 28, 240]
 * ```
 */
export class ChannelShuffle extends Layer<ChannelShuffleConfig> {
  readonly type = 'channelShuffle';

  constructor(config: ChannelShuffleConfig) {
    super(config);
    checkPositiveInt(this.name, 'groups', config.groups);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'shuffle', name: this.name, groups: this.config.groups }];
  }

  protected override computeShapes(input: Shape): LayerShapes {
    return { specs: this.specs(input), output: shuffleOutput(this.name, input, this.config.groups) };
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const { groups } = this.config;
    const shape = x.shape;
    const channels = shape.at(-1) as number;
    const split = tf.reshape(x, [...shape.slice(0, -1), groups, channels / groups]);
    const last = split.rank - 1;
    const axes = [...Array(last - 1).keys(), last, last - 1];
    return tf.reshape(tf.transpose(split, axes), shape);
  }
}

/**
 * Channels `[begin, begin + size)` of `[h, w, c]` → `[h, w, size]`:
 * ShuffleNet v2's channel split is two of these on the same input.
 *
 * @example
 * ```ts
 * new ChannelSlice({ begin: 58, size: 58 }).outputShape([28, 28, 116]); // [28, 28, 58]
 * ```
 */
export class ChannelSlice extends Layer<ChannelSliceConfig> {
  readonly type = 'channelSlice';

  constructor(config: ChannelSliceConfig) {
    super(config);
    const { begin } = config;
    if (typeof begin !== 'number' || !Number.isInteger(begin) || begin < 0) {
      throw new ConfigError(this.name, `begin must be an integer ≥ 0, received ${JSON.stringify(begin)}`);
    }
    checkPositiveInt(this.name, 'size', config.size);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'slice', name: this.name, begin: this.config.begin, size: this.config.size }];
  }

  protected override computeShapes(input: Shape): LayerShapes {
    return { specs: this.specs(input), output: sliceOutput(this.name, input, this.config.begin, this.config.size) };
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const lead = Array(x.rank - 1).fill(0);
    return tf.slice(x, [...lead, this.config.begin], [...lead.map(() => -1), this.config.size]);
  }
}

/**
 * The ResNet paper's option-A shortcut (He et al. 2016, CIFAR ResNets):
 * every `stride`-th pixel (`x[::s, ::s]`) and zero channels up to `filters`,
 * half before and half after the input's — PyTorch's
 * `F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, planes // 4, planes // 4))`.
 * No parameters: `[h, w, c]` → `[⌈h/s⌉, ⌈w/s⌉, filters]`.
 *
 * @example
 * ```ts
 * new Shortcut({ stride: 2, filters: 32 }).outputShape([32, 32, 16]); // [16, 16, 32]
 * // A CIFAR ResNet's downsampling block: add([sequential([conv s2, bn, relu, conv, bn]), shortcut({ stride: 2, filters: 32 })])
 * ```
 */
export class Shortcut extends Layer<ShortcutConfig> {
  readonly type = 'shortcut';

  constructor(config: ShortcutConfig) {
    super(config);
    checkPositiveInt(this.name, 'stride', config.stride);
    checkPositiveInt(this.name, 'filters', config.filters);
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'shortcut', name: this.name, stride: this.config.stride, filters: this.config.filters }];
  }

  protected override computeShapes(input: Shape): LayerShapes {
    const { stride, filters } = this.config;
    return { specs: this.specs(input), output: shortcutOutput(this.name, input, stride, filters) };
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const { stride, filters } = this.config;
    const sampled = stride === 1 ? x : everyNth(x as tf.Tensor4D, [stride, stride]);
    const [before, after] = shortcutPadding(x.shape[3] as number, filters);
    return tf.pad(sampled, [
      [0, 0],
      [0, 0],
      [0, 0],
      [before, after],
    ]);
  }
}

/** `new ChannelShuffle(config)`. */
export function channelShuffle(config: ChannelShuffleConfig): ChannelShuffle {
  return new ChannelShuffle(config);
}

/** `new ChannelSlice(config)`. */
export function channelSlice(config: ChannelSliceConfig): ChannelSlice {
  return new ChannelSlice(config);
}

/** `new Shortcut(config)`: ResNet's option A. */
export function shortcut(config: ShortcutConfig): Shortcut {
  return new Shortcut(config);
}
