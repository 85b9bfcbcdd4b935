import { Activation, type ActivationConfig } from './activation.js';
import { AuxiliaryHead } from './auxiliary.js';
import { ChannelPool, type ChannelPoolConfig, Maxout, type MaxoutConfig } from './channel-pool.js';
import { Concat } from './concat.js';
import { BUILT_IN_KEYS, type ConfigKeys, checkConfigKeys } from './config-keys.js';
import { Conv2d, type Conv2dConfig } from './conv.js';
import { Dense, type DenseConfig, Flatten } from './dense.js';
import { Dropout, type DropoutConfig } from './dropout.js';
import { ConfigError } from './errors.js';
import { GlobalPool2d, type GlobalPool2dConfig } from './global-pool.js';
import type { BaseConfig, Layer, LayerJSON } from './layer.js';
import { LpPool2d, type LpPool2dConfig } from './lp-pool.js';
import { Add, Multiply } from './merge.js';
import { BatchNorm, type BatchNormConfig, LocalResponseNorm, type LrnConfig } from './norm.js';
import { AvgPool2d, type AvgPool2dConfig, MaxPool2d, type Pool2dConfig } from './pool.js';
import { Sequential } from './sequential.js';
import {
  ChannelShuffle,
  type ChannelShuffleConfig,
  ChannelSlice,
  type ChannelSliceConfig,
  Shortcut,
  type ShortcutConfig,
} from './shuffle.js';
import { StochasticPool2d, type StochasticPool2dConfig } from './stochastic-pool.js';
import { Subsample2d, type Subsample2dConfig } from './subsample.js';
import { closeName } from './suggest.js';
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
  add: BaseConfig & { branches: LayerJSON[] };
  auxiliaryHead: BaseConfig & { head: LayerJSON };
  avgPool2d: AvgPool2dConfig;
  batchNorm: BatchNormConfig;
  channelPool: ChannelPoolConfig;
  channelShuffle: ChannelShuffleConfig;
  channelSlice: ChannelSliceConfig;
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
  multiply: BaseConfig & { branches: LayerJSON[] };
  sequential: BaseConfig & { layers: LayerJSON[] };
  shortcut: ShortcutConfig;
  stochasticPool2d: StochasticPool2dConfig;
  subsample2d: Subsample2dConfig;
  zeroPadding2d: ZeroPadding2dConfig;
}

/** A registered layer type. */
export type LayerType = keyof LayerConfigs & string;

type Factory = (config: never) => Layer;

/** Options of {@link registerLayer}. */
export interface RegisterOptions<C> {
  /**
   * Every option the config takes, each `true` (TypeScript checks the list
   * against the config type). With it, `fromJSON` and `createLayer` reject
   * an unknown option with a `ConfigError` that suggests the close name
   * (`"stides"`: did you mean `"stride"`?); without it, the config is
   * passed to the factory unchecked, as before.
   */
  keys?: ConfigKeys<C>;
}

interface Registration {
  factory: Factory;
  keys: readonly string[] | undefined;
}

const registrations = new Map<string, Registration>();

/**
 * Makes a layer type known to `fromJSON` / `createLayer`. Throws a
 * `ConfigError` if the type is taken: two packages must not silently
 * replace each other's layers. Pass `{ keys }` (every option of the
 * config) so that typos in a config are errors instead of defaults.
 *
 * @example
 * ```ts
 * registerLayer('scale', (config) => new Scale(config), {
 *   keys: { name: true, bias: true, scaleInit: true, biasInit: true },
 * });
 * ```
 */
export function registerLayer<T extends LayerType>(
  type: T,
  factory: (config: LayerConfigs[T]) => Layer,
  options: RegisterOptions<LayerConfigs[T]> = {},
): void {
  if (registrations.has(type)) {
    throw new ConfigError(
      'registerLayer',
      `layer type ${JSON.stringify(type)} is already registered: pick another name`,
    );
  }
  registrations.set(type, {
    factory: factory as Factory,
    keys: options.keys === undefined ? undefined : Object.keys(options.keys),
  });
}

/** The registered layer types. */
export function layerTypes(): string[] {
  return [...registrations.keys()].sort();
}

/** The options a registered layer type declared (`registerLayer`'s `keys`), or undefined if it declared none. */
export function layerOptions(type: string): string[] | undefined {
  const keys = registrations.get(type)?.keys;
  return keys && [...keys];
}

/**
 * A new layer of a registered type. Its config must be a plain object; an
 * option the type did not declare is a `ConfigError` naming the layer, the
 * option and the close name.
 */
export function createLayer<T extends LayerType>(type: T, config: LayerConfigs[T]): Layer {
  const registration = registrations.get(type);
  if (!registration) {
    const close = closeName(String(type), layerTypes());
    throw new ConfigError(
      'createLayer',
      `unknown layer type ${JSON.stringify(type)}${close === undefined ? '' : ` (did you mean ${JSON.stringify(close)}?)`}: registered are ${layerTypes().join(', ')}`,
    );
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(type, `the config of a ${type} layer must be an object, received ${JSON.stringify(config)}`);
  }
  if (registration.keys) checkConfigKeys(type, config, registration.keys);
  return (registration.factory as (c: LayerConfigs[T]) => Layer)(config);
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

/** A container's list of children from JSON, or a `ConfigError` saying what was expected. */
function childList(type: string, key: string, value: unknown): LayerJSON[] {
  if (!Array.isArray(value)) {
    throw new ConfigError(type, `"${key}" must be an array of { type, config }, received ${JSON.stringify(value)}`);
  }
  return value as LayerJSON[];
}

function childJSON(type: string, key: string, value: unknown): Layer {
  if (value === undefined) throw new ConfigError(type, `"${key}" is missing: give { type, config }`);
  return fromJSON(value as LayerJSON);
}

registerLayer('activation', (c) => new Activation(c), { keys: BUILT_IN_KEYS.activation });
registerLayer(
  'add',
  ({ branches, ...config }) => new Add(childList('add', 'branches', branches).map(fromJSON), config),
  {
    keys: BUILT_IN_KEYS.add,
  },
);
registerLayer(
  'auxiliaryHead',
  ({ head, ...config }) => new AuxiliaryHead(childJSON('auxiliaryHead', 'head', head), config),
  { keys: BUILT_IN_KEYS.auxiliaryHead },
);
registerLayer('avgPool2d', (c) => new AvgPool2d(c), { keys: BUILT_IN_KEYS.avgPool2d });
registerLayer('batchNorm', (c) => new BatchNorm(c), { keys: BUILT_IN_KEYS.batchNorm });
registerLayer('channelPool', (c) => new ChannelPool(c), { keys: BUILT_IN_KEYS.channelPool });
registerLayer('channelShuffle', (c) => new ChannelShuffle(c), { keys: BUILT_IN_KEYS.channelShuffle });
registerLayer('channelSlice', (c) => new ChannelSlice(c), { keys: BUILT_IN_KEYS.channelSlice });
registerLayer(
  'concat',
  ({ branches, ...config }) => new Concat(childList('concat', 'branches', branches).map(fromJSON), config),
  { keys: BUILT_IN_KEYS.concat },
);
registerLayer('conv2d', (c) => new Conv2d(c), { keys: BUILT_IN_KEYS.conv2d });
registerLayer('dense', (c) => new Dense(c), { keys: BUILT_IN_KEYS.dense });
registerLayer('dropout', (c) => new Dropout(c), { keys: BUILT_IN_KEYS.dropout });
registerLayer('flatten', (c) => new Flatten(c), { keys: BUILT_IN_KEYS.flatten });
registerLayer('globalPool2d', (c) => new GlobalPool2d(c), { keys: BUILT_IN_KEYS.globalPool2d });
registerLayer('lpPool2d', (c) => new LpPool2d(c), { keys: BUILT_IN_KEYS.lpPool2d });
registerLayer('lrn', (c) => new LocalResponseNorm(c), { keys: BUILT_IN_KEYS.lrn });
registerLayer('maxout', (c) => new Maxout(c), { keys: BUILT_IN_KEYS.maxout });
registerLayer('maxPool2d', (c) => new MaxPool2d(c), { keys: BUILT_IN_KEYS.maxPool2d });
registerLayer(
  'multiply',
  ({ branches, ...config }) => new Multiply(childList('multiply', 'branches', branches).map(fromJSON), config),
  { keys: BUILT_IN_KEYS.multiply },
);
registerLayer(
  'sequential',
  ({ layers, ...config }) => new Sequential(childList('sequential', 'layers', layers).map(fromJSON), config),
  { keys: BUILT_IN_KEYS.sequential },
);
registerLayer('shortcut', (c) => new Shortcut(c), { keys: BUILT_IN_KEYS.shortcut });
registerLayer('stochasticPool2d', (c) => new StochasticPool2d(c), { keys: BUILT_IN_KEYS.stochasticPool2d });
registerLayer('subsample2d', (c) => new Subsample2d(c), { keys: BUILT_IN_KEYS.subsample2d });
registerLayer('zeroPadding2d', (c) => new ZeroPadding2d(c), { keys: BUILT_IN_KEYS.zeroPadding2d });
