import type { ActivationConfig } from './activation.js';
import type { ChannelPoolConfig, MaxoutConfig } from './channel-pool.js';
import type { Conv2dConfig } from './conv.js';
import type { DenseConfig } from './dense.js';
import type { DropoutConfig } from './dropout.js';
import { ConfigError } from './errors.js';
import type { GlobalPool2dConfig } from './global-pool.js';
import type { BaseConfig, LayerJSON } from './layer.js';
import type { LpPool2dConfig } from './lp-pool.js';
import type { BatchNormConfig, LrnConfig } from './norm.js';
import type { AvgPool2dConfig, Pool2dConfig } from './pool.js';
import type { ChannelShuffleConfig, ChannelSliceConfig, ShortcutConfig } from './shuffle.js';
import type { StochasticPool2dConfig } from './stochastic-pool.js';
import type { Subsample2dConfig } from './subsample.js';
import { closeName } from './suggest.js';
import type { ZeroPadding2dConfig } from './zero-pad.js';

/**
 * Every option of a config type, each set to `true`. TypeScript checks the
 * table against the config interface both ways (a missing option and an
 * option the interface lacks are compile errors), so the interface stays
 * the one source of a layer's options and this is its runtime echo.
 *
 * @example
 * ```ts
 * const keys: ConfigKeys<ScaleConfig> = { name: true, bias: true, scaleInit: true, biasInit: true };
 * ```
 */
export type ConfigKeys<C> = { readonly [K in keyof C]-?: true };

/** The built-in layers' options: what `fromJSON` accepts for each type. */
export const BUILT_IN_KEYS = {
  activation: { name: true, fn: true, alpha: true } satisfies ConfigKeys<ActivationConfig>,
  add: { name: true, branches: true } satisfies ConfigKeys<BaseConfig & { branches: LayerJSON[] }>,
  auxiliaryHead: { name: true, head: true } satisfies ConfigKeys<BaseConfig & { head: LayerJSON }>,
  avgPool2d: {
    name: true,
    kernel: true,
    stride: true,
    padding: true,
    ceilMode: true,
    countIncludePad: true,
  } satisfies ConfigKeys<AvgPool2dConfig>,
  batchNorm: {
    name: true,
    momentum: true,
    epsilon: true,
    scale: true,
    center: true,
  } satisfies ConfigKeys<BatchNormConfig>,
  channelPool: { name: true, pieces: true } satisfies ConfigKeys<ChannelPoolConfig>,
  channelShuffle: { name: true, groups: true } satisfies ConfigKeys<ChannelShuffleConfig>,
  channelSlice: { name: true, begin: true, size: true } satisfies ConfigKeys<ChannelSliceConfig>,
  concat: { name: true, branches: true } satisfies ConfigKeys<BaseConfig & { branches: LayerJSON[] }>,
  conv2d: {
    name: true,
    filters: true,
    kernel: true,
    stride: true,
    padding: true,
    dilation: true,
    groups: true,
    connections: true,
    bias: true,
    activation: true,
    kernelInit: true,
    biasInit: true,
  } satisfies ConfigKeys<Conv2dConfig>,
  dense: {
    name: true,
    units: true,
    bias: true,
    activation: true,
    kernelInit: true,
    biasInit: true,
  } satisfies ConfigKeys<DenseConfig>,
  dropout: { name: true, rate: true } satisfies ConfigKeys<DropoutConfig>,
  flatten: { name: true } satisfies ConfigKeys<BaseConfig>,
  globalPool2d: { name: true, mode: true } satisfies ConfigKeys<GlobalPool2dConfig>,
  lpPool2d: { name: true, kernel: true, stride: true, padding: true, p: true } satisfies ConfigKeys<LpPool2dConfig>,
  lrn: { name: true, size: true, alpha: true, beta: true, k: true } satisfies ConfigKeys<LrnConfig>,
  maxout: {
    name: true,
    units: true,
    pieces: true,
    bias: true,
    kernelInit: true,
    biasInit: true,
  } satisfies ConfigKeys<MaxoutConfig>,
  maxPool2d: {
    name: true,
    kernel: true,
    stride: true,
    padding: true,
    ceilMode: true,
  } satisfies ConfigKeys<Pool2dConfig>,
  multiply: { name: true, branches: true } satisfies ConfigKeys<BaseConfig & { branches: LayerJSON[] }>,
  sequential: { name: true, layers: true } satisfies ConfigKeys<BaseConfig & { layers: LayerJSON[] }>,
  shortcut: { name: true, stride: true, filters: true } satisfies ConfigKeys<ShortcutConfig>,
  stochasticPool2d: { name: true, kernel: true, stride: true } satisfies ConfigKeys<StochasticPool2dConfig>,
  subsample2d: {
    name: true,
    kernel: true,
    stride: true,
    activation: true,
    coefficientInit: true,
    biasInit: true,
  } satisfies ConfigKeys<Subsample2dConfig>,
  zeroPadding2d: { name: true, padding: true } satisfies ConfigKeys<ZeroPadding2dConfig>,
} as const;

/**
 * Throws a `ConfigError` naming the layer, each unknown option and the
 * known one it most likely meant (`"stides"`: did you mean `"stride"`?), so
 * that a typo fails loudly instead of silently falling back to a default.
 */
export function checkConfigKeys(type: string, config: object, known: readonly string[]): void {
  const allowed = new Set(known);
  const unknown = Object.keys(config).filter((key) => !allowed.has(key));
  if (unknown.length === 0) return;
  const named = (config as { name?: unknown }).name;
  const layer = typeof named === 'string' ? named : type;
  const problems = unknown.map((key) => {
    const close = closeName(key, known);
    return `unknown option ${JSON.stringify(key)}${close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`}`;
  });
  throw new ConfigError(layer, `${problems.join('; ')}: a ${type} layer takes ${[...known].sort().join(', ')}`);
}
