import { assertPositiveInt, ShapeError, show } from './errors.js';
import { type Size2, toPair } from './size2.js';

/**
 * Which input channels each filter reads: `connections[f]` lists the input
 * channel indices of filter `f`. LeNet-5's C3 uses such a table so that its
 * 16 maps see different subsets of S2's 6.
 */
export type ConnectionTable = readonly (readonly number[])[];

/** Options of {@link convParams} (and of {@link convMacs}). */
export interface ConvParamsOptions {
  /** Channels of the input volume (its depth). */
  inChannels: number;
  /** Number of filters, which is the output depth. */
  filters: number;
  /** Kernel size, a number or `[height, width]`. */
  kernel: Size2;
  /** Channel groups: each filter sees `inChannels / groups` channels. Default 1. */
  groups?: number;
  /** One bias per filter. Default true. */
  bias?: boolean;
  /** A partial connection table instead of full depth (LeNet-5); needs `groups: 1`. */
  connections?: ConnectionTable;
  /** Name for error messages. */
  op?: string;
}

/**
 * The number of input channels each filter reads, validating groups and
 * connection tables. Used by parameter and MAC counts alike.
 */
export function filterDepths(o: ConvParamsOptions): number[] {
  const op = o.op ?? 'conv';
  const { inChannels, filters, groups = 1, connections } = o;
  assertPositiveInt(op, 'inChannels', inChannels);
  assertPositiveInt(op, 'filters', filters);
  assertPositiveInt(op, 'groups', groups);
  if (connections) {
    checkConnections(op, connections, inChannels, filters, groups);
    return connections.map((inputs) => inputs.length);
  }
  if (inChannels % groups !== 0 || filters % groups !== 0) {
    const divisors = commonDivisors(inChannels, filters);
    throw new ShapeError(
      op,
      `${inChannels} input channels and ${filters} filters must both divide into ${groups} groups: use groups ${divisors.join(', ')}`,
      { inChannels, filters, groups },
    );
  }
  return new Array<number>(filters).fill(inChannels / groups);
}

/**
 * Learnable parameters of a convolution layer: every filter has
 * `kh·kw·depth` weights plus one bias.
 *
 * @example
 * ```ts
 * convParams({ inChannels: 3, filters: 100, kernel: 3 });   // 2800 (28 per filter)
 * convParams({ inChannels: 3, filters: 96, kernel: 11, bias: false }); // 34848, AlexNet conv1
 * convParams({ inChannels: 32, filters: 32, kernel: 3, groups: 32 }); // 320, depthwise
 * ```
 */
export function convParams(o: ConvParamsOptions): number {
  const [kh, kw] = toPair(o.op ?? 'conv', 'kernel', o.kernel);
  const depths = filterDepths(o);
  const weights = depths.reduce((sum, depth) => sum + depth * kh * kw, 0);
  return weights + (o.bias === false ? 0 : o.filters);
}

/** Options of {@link denseParams} (and of {@link denseMacs}). */
export interface DenseParamsOptions {
  inFeatures: number;
  units: number;
  /** Default true. */
  bias?: boolean;
  op?: string;
}

/**
 * Learnable parameters of a fully connected layer: `inFeatures·units (+ units)`.
 *
 * @example
 * ```ts
 * denseParams({ inFeatures: 7 * 7 * 512, units: 4096 }); // 102764544, VGG fc6
 * ```
 */
export function denseParams(o: DenseParamsOptions): number {
  const op = o.op ?? 'dense';
  assertPositiveInt(op, 'inFeatures', o.inFeatures);
  assertPositiveInt(op, 'units', o.units);
  return o.inFeatures * o.units + (o.bias === false ? 0 : o.units);
}

/** Trainable and non-trainable parameter counts. */
export interface ParamSplit {
  trainable: number;
  nonTrainable: number;
}

/**
 * Batch normalization over `channels`: scale γ and shift β are trained, the
 * running mean and variance are not (but are saved with the weights).
 *
 * @example
 * ```ts
 * batchNormParams(64); // { trainable: 128, nonTrainable: 128 }
 * ```
 */
export function batchNormParams(
  channels: number,
  options: { scale?: boolean; center?: boolean; op?: string } = {},
): ParamSplit {
  assertPositiveInt(options.op ?? 'batchNorm', 'channels', channels);
  const perChannel = (options.scale === false ? 0 : 1) + (options.center === false ? 0 : 1);
  return { trainable: perChannel * channels, nonTrainable: 2 * channels };
}

/**
 * A maxout layer (Goodfellow et al. 2013): each of `units` outputs is the
 * maximum of `pieces` affine functions of the input, so it holds `pieces`
 * times the parameters of a dense layer. Cross-channel pooling after a conv
 * layer has no parameters of its own.
 *
 * @example
 * ```ts
 * maxoutParams({ inFeatures: 784, units: 240, pieces: 5 }); // 942,000
 * ```
 */
export function maxoutParams(o: DenseParamsOptions & { pieces: number }): number {
  assertPositiveInt(o.op ?? 'maxout', 'pieces', o.pieces);
  return o.pieces * denseParams({ ...o, op: o.op ?? 'maxout' });
}

function checkConnections(
  op: string,
  table: ConnectionTable,
  inChannels: number,
  filters: number,
  groups: number,
): void {
  if (groups !== 1) {
    throw new ShapeError(op, `a connection table replaces groups: use groups 1, received ${groups}`, { groups });
  }
  if (table.length !== filters) {
    throw new ShapeError(
      op,
      `the connection table has ${table.length} rows for ${filters} filters: give one row of input channels per filter`,
      { filters, rows: table.length },
    );
  }
  table.forEach((inputs, f) => {
    const seen = new Set<number>();
    if (inputs.length === 0) throw new ShapeError(op, `filter ${f} reads no input channel`, { filter: f });
    for (const c of inputs) {
      if (!Number.isInteger(c) || c < 0 || c >= inChannels || seen.has(c)) {
        throw new ShapeError(
          op,
          `filter ${f} reads channels ${show(inputs)}: each must be a distinct integer in 0..${inChannels - 1}`,
          { filter: f, inputs, inChannels },
        );
      }
      seen.add(c);
    }
  });
}

function commonDivisors(a: number, b: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= Math.min(a, b); d++) if (a % d === 0 && b % d === 0) out.push(d);
  return out;
}
