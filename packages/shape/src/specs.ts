import type { AxisPadding, PaddingMode } from './padding.js';
import type { ConnectionTable } from './params.js';
import type { Size2 } from './size2.js';

/**
 * 2-D padding: one number for all four sides, a mode, or
 * `[height, width]` where each is a number or `[before, after]`
 * (so `[[0, 1], [0, 1]]` pads one row at the bottom and one column at the right).
 */
export type Padding2d = number | PaddingMode | readonly [height: AxisPadding, width: AxisPadding];

interface Named {
  /** Layer name; defaults to the type and a counter (`conv1`, `pool2`). */
  name?: string;
}

/** Options shared by sliding-window layers. */
interface WindowSpec extends Named {
  kernel: Size2;
  stride?: Size2;
  padding?: Padding2d;
  dilation?: Size2;
  /** Throw when an output size is not an integer (overrides the trace option). */
  strict?: boolean;
}

/** Convolution over a volume with `filters` filters; input `[h, w, c]`, output `[h', w', filters]`. */
export interface ConvSpec extends WindowSpec {
  type: 'conv';
  filters: number;
  groups?: number;
  bias?: boolean;
  /** A partial connection table (LeNet-5 C3) instead of full depth. */
  connections?: ConnectionTable;
  /** Informational: an activation applied in place (not counted as a separate output). */
  activation?: string;
}

/** Spatial pooling; stride defaults to the kernel size. */
export interface PoolSpec extends WindowSpec {
  type: 'pool';
  /** Informational (max, avg, l2, stochastic, …): geometry does not depend on it. */
  mode?: string;
  ceilMode?: boolean;
  /** LeNet-5 subsampling: a trainable coefficient and bias per channel (2·C parameters). */
  trainable?: boolean;
}

/** Pooling over the whole spatial extent: `[h, w, c]` → `[c]`. */
export interface GlobalPoolSpec extends Named {
  type: 'globalPool';
  mode?: string;
}

/** Fully connected layer on a flat input `[features]`. */
export interface DenseSpec extends Named {
  type: 'dense';
  units: number;
  bias?: boolean;
  /** False for fixed weights (LeNet-5's RBF output): counted as non-trainable. Default true. */
  trainable?: boolean;
  activation?: string;
}

/** `[h, w, c]` → `[h·w·c]`. */
export interface FlattenSpec extends Named {
  type: 'flatten';
}

/**
 * Parallel branches from one input, joined by concatenating channels (an
 * inception module). An empty branch passes the input through.
 */
export interface ConcatSpec extends Named {
  type: 'concat';
  branches: readonly (readonly LayerSpec[])[];
}

/**
 * Parallel branches from one input, joined element-wise: `add` (a residual
 * connection: every branch gives the same `[h, w, c]`) or `multiply` (equal
 * shapes, or a `[c]` / `[1, 1, c]` gate broadcast over `[h, w, c]`: a
 * squeeze-excitation). An empty branch passes the input through. Parameters
 * and MACs are the branches' sums; the join itself counts 0 MACs, as element-wise
 * adds and products are not multiply-adds (torchvision's and the papers' convention).
 */
export interface MergeSpec extends Named {
  type: 'add' | 'multiply';
  branches: readonly (readonly LayerSpec[])[];
}

/** Channel shuffle (ShuffleNet): `[h, w, c]` → the same shape, channels interleaved across `groups`. */
export interface ShuffleSpec extends Named {
  type: 'shuffle';
  groups: number;
}

/** Channels `[begin, begin + size)` (ShuffleNet v2's channel split): `[h, w, c]` → `[h, w, size]`. */
export interface SliceSpec extends Named {
  type: 'slice';
  begin: number;
  size: number;
}

/**
 * The ResNet paper's option-A shortcut: every `stride`-th pixel, zero channels
 * added up to `filters` (half before, half after). No parameters.
 * `[h, w, c]` → `[⌈h/stride⌉, ⌈w/stride⌉, filters]`.
 */
export interface ShortcutSpec extends Named {
  type: 'shortcut';
  stride: number;
  filters: number;
}

/** Batch normalization: 2·C trainable (γ, β) and 2·C non-trainable (running mean, variance). */
export interface BatchNormSpec extends Named {
  type: 'batchNorm';
  scale?: boolean;
  center?: boolean;
}

/** Cross-channel pooling (maxout over channels): `[h, w, c]` → `[h, w, c / pieces]`. */
export interface ChannelPoolSpec extends Named {
  type: 'channelPool';
  pieces: number;
}

/**
 * A side output (an auxiliary classifier): `layers` run on the current
 * activation and count in parameters, MACs and memory, while the main path
 * continues from the same activation.
 */
export interface TapSpec extends Named {
  type: 'tap';
  layers: readonly LayerSpec[];
}

/** Zero padding around the height and width (explicit numbers only). */
export interface PadSpec extends Named {
  type: 'pad';
  padding: number | readonly [height: number | readonly [number, number], width: number | readonly [number, number]];
}

/** Element-wise layers that keep the shape and have no parameters. */
export interface ElementwiseSpec extends Named {
  type: 'activation' | 'dropout' | 'lrn';
  /** Informational (relu, tanh, rate 0.5, size 5, …). */
  [option: string]: unknown;
}

/** A window a {@link CustomSpec} says its output units look through, for the receptive field. */
export interface CustomWindow {
  kernel: Size2;
  /** Default 1. */
  stride?: Size2;
  /** Default 1. */
  dilation?: Size2;
  /** Padding before (top, left), which moves the field's start. Default 0. */
  padBefore?: number | readonly [height: number, width: number];
}

/**
 * A layer that declares its own cost — a downstream layer such as a
 * Squeeze-and-Excitation gate, or any built-in layer the other specs do not
 * describe. `trace`, `summary`, the memory estimate and the architecture
 * diagram use what it declares, with no case per kind. Counts are per image.
 *
 * @example
 * ```ts
 * // An SE gate on [h, w, c], ratio 4: two dense layers and the h·w·c multiply.
 * const se = (h: number, w: number, c: number): CustomSpec => ({
 *   type: 'custom',
 *   kind: 'squeezeExcite',
 *   output: [h, w, c],
 *   params: { trainable: (c * (c / 4) + c / 4) + (c / 4 * c + c) },
 *   macs: 2 * c * (c / 4) + h * w * c,
 * });
 * ```
 */
export interface CustomSpec extends Named {
  type: 'custom';
  /** What the layer is (`squeezeExcite`): its type in summaries and diagrams; unnamed ones are `<kind><n>`. */
  kind: string;
  /** The output shape (no batch, channels last), or a function of the input shape. */
  output: readonly number[] | ((input: readonly number[]) => readonly number[]);
  /** Parameters, trainable and not (absent counts are 0). */
  params?: { trainable?: number; nonTrainable?: number };
  /** Multiply-adds per image (FLOPs = 2 × MACs). Default 0. */
  macs?: number;
  /** Elements the layer keeps for backward, per image. Default the output's; 0 for a view. */
  stored?: number;
  /**
   * How the layer changes the receptive field: `'none'` (default; each output
   * pixel sees what the input pixel at its place saw), `'global'` (every
   * output sees the whole input), or the equivalent window.
   */
  field?: 'none' | 'global' | CustomWindow;
}

/**
 * One layer's geometry, as plain JSON (a {@link CustomSpec}'s output may be
 * a function). Shapes are per image, channels last (HWC).
 */
export type LayerSpec =
  | ConvSpec
  | PoolSpec
  | GlobalPoolSpec
  | DenseSpec
  | FlattenSpec
  | ConcatSpec
  | MergeSpec
  | ShuffleSpec
  | SliceSpec
  | ShortcutSpec
  | BatchNormSpec
  | ChannelPoolSpec
  | PadSpec
  | TapSpec
  | ElementwiseSpec
  | CustomSpec;
