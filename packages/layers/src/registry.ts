import { Activation, type ActivationConfig } from './activation.js';
import { AuxiliaryHead } from './auxiliary.js';
import { ChannelPool, type ChannelPoolConfig, Maxout, type MaxoutConfig } from './channel-pool.js';
import { Concat } from './concat.js';
import { Conv2d, type Conv2dConfig } from './conv.js';
import { Dense, type DenseConfig, Flatten } from './dense.js';
import { Dropout, type DropoutConfig } from './dropout.js';
import { ConfigError } from './errors.js';
import { GlobalPool2d, type GlobalPool2dConfig } from './global-pool.js';
import type { BaseConfig, Layer, LayerJSON } from './layer.js';
import { LpPool2d, type LpPool2dConfig } from './lp-pool.js';
import { BatchNorm, type BatchNormConfig, LocalResponseNorm, type LrnConfig } from './norm.js';
import { AvgPool2d, type AvgPool2dConfig, MaxPool2d, type Pool2dConfig } from './pool.js';
import { Sequential } from './sequential.js';
import { StochasticPool2d, type StochasticPool2dConfig } from './stochastic-pool.js';
import { Subsample2d, type Subsample2dConfig } from './subsample.js';
import { ZeroPadding2d, type ZeroPadding2dConfig } from './zero-pad.js';

/**
 * Layer type → its JSON config. Downstream packages add their layers by
 * declaration merging, which types `registerLayer` and `createLayer`:
 *
 * ```ts
 * declare module '@convkit/layers' {
 *   interface LayerConfigs { scale: { factor: number; name?: string } }
 * }
 * registerLayer('scale', (config) => new Scale(config));
 * ```
 */
export interface LayerConfigs {
  activation: ActivationConfig;
  auxiliaryHead: BaseConfig & { head: LayerJSON };
  avgPool2d: AvgPool2dConfig;
  batchNorm: BatchNormConfig;
  channelPool: ChannelPoolConfig;
  concat: BaseConfig & { branches: LayerJSON[] };
  conv2d: Conv2dConfig;
  dense: DenseConfig;
  dropout: DropoutConfig;
  flatten: BaseConfig;
  globalPool2d: GlobalPool2dConfig;
  lpPool2d: LpPool2dConfig;
  lrn: LrnConfig;
  maxout: MaxoutConfig;
  maxPool2d: Pool2dConfig;
  sequential: BaseConfig & { layers: LayerJSON[] };
  stochasticPool2d: StochasticPool2dConfig;
  subsample2d: Subsample2dConfig;
  zeroPadding2d: ZeroPadding2dConfig;
}

/** A registered layer type. */
export type LayerType = keyof LayerConfigs & string;

type Factory = (config: never) => Layer;

const factories = new Map<string, Factory>();

/**
 * Makes a layer type known to `fromJSON` / `createLayer`. Throws a
 * `ConfigError` if the type is taken: two packages must not silently
 * replace each other's layers.
 */
export function registerLayer<T extends LayerType>(type: T, factory: (config: LayerConfigs[T]) => Layer): void {
  if (factories.has(type)) {
    throw new ConfigError(
      'registerLayer',
      `layer type ${JSON.stringify(type)} is already registered: pick another name`,
    );
  }
  factories.set(type, factory as Factory);
}

/** The registered layer types. */
export function layerTypes(): string[] {
  return [...factories.keys()].sort();
}

/** A new layer of a registered type. */
export function createLayer<T extends LayerType>(type: T, config: LayerConfigs[T]): Layer {
  const factory = factories.get(type);
  if (!factory) {
    throw new ConfigError(
      'createLayer',
      `unknown layer type ${JSON.stringify(type)}: registered are ${layerTypes().join(', ')}`,
    );
  }
  return (factory as (c: LayerConfigs[T]) => Layer)(config);
}

/** The architecture of a layer or model as JSON: `{ type, config }`, children nested. */
export function toJSON(layer: Layer): LayerJSON {
  return layer.toJSON();
}

/** Rebuilds a layer or model from `toJSON`'s output (unbuilt: call `build`, then set weights). */
export function fromJSON(json: LayerJSON): Layer {
  if (typeof json !== 'object' || json === null || typeof json.type !== 'string') {
    throw new ConfigError('fromJSON', `expected { type, config }, received ${JSON.stringify(json)}`);
  }
  return createLayer(json.type as LayerType, (json.config ?? {}) as never);
}

registerLayer('activation', (c) => new Activation(c));
registerLayer('auxiliaryHead', ({ head, ...config }) => new AuxiliaryHead(fromJSON(head), config));
registerLayer('avgPool2d', (c) => new AvgPool2d(c));
registerLayer('batchNorm', (c) => new BatchNorm(c));
registerLayer('channelPool', (c) => new ChannelPool(c));
registerLayer('concat', ({ branches, ...config }) => new Concat(branches.map(fromJSON), config));
registerLayer('conv2d', (c) => new Conv2d(c));
registerLayer('dense', (c) => new Dense(c));
registerLayer('dropout', (c) => new Dropout(c));
registerLayer('flatten', (c) => new Flatten(c));
registerLayer('globalPool2d', (c) => new GlobalPool2d(c));
registerLayer('lpPool2d', (c) => new LpPool2d(c));
registerLayer('lrn', (c) => new LocalResponseNorm(c));
registerLayer('maxout', (c) => new Maxout(c));
registerLayer('maxPool2d', (c) => new MaxPool2d(c));
registerLayer('sequential', ({ layers, ...config }) => new Sequential(layers.map(fromJSON), config));
registerLayer('stochasticPool2d', (c) => new StochasticPool2d(c));
registerLayer('subsample2d', (c) => new Subsample2d(c));
registerLayer('zeroPadding2d', (c) => new ZeroPadding2d(c));
