/**
 * @convkit/layers — CNN layers that know their shapes before a weight exists.
 * Tensors are NHWC, kernels HWIO. Start a backend first (`@convkit/backend`).
 *
 * @packageDocumentation
 */

// Each group below starts with a comment and a blank line, so Biome sorts exports within a group, not across them.

// The contract: shapes (@convkit/shape's: per example, channels last), the Layer class, its config keys and errors

export type { LayerSpec, Shape } from '@convkit/shape';
export type { ConfigKeys } from './config-keys.js';
export { ConfigError } from './errors.js';
export type { ApplyOptions, BaseConfig, BuildOptions, LayerJSON, LayerShapes, WeightSpec } from './layer.js';
export { Layer } from './layer.js';
export type { LayerVisit } from './walk.js';
export { walkLayers } from './walk.js';

// Weights: seeded initializers and fan-in/fan-out

export type { Initializer } from './initializers.js';
export { fans, initialize } from './initializers.js';

// Layers

export type { ActivationConfig, ActivationName } from './activation.js';
export { Activation, activate } from './activation.js';
export type { ChannelPoolConfig, MaxoutConfig } from './channel-pool.js';
export { ChannelPool, Maxout } from './channel-pool.js';
export type { Conv2dConfig } from './conv.js';
export { Conv2d } from './conv.js';
export type { DenseConfig } from './dense.js';
export { Dense, Flatten } from './dense.js';
export type { DropoutConfig } from './dropout.js';
export { Dropout } from './dropout.js';
export type { GlobalPool2dConfig } from './global-pool.js';
export { GlobalPool2d } from './global-pool.js';
export type { LpPool2dConfig } from './lp-pool.js';
export { LpPool2d } from './lp-pool.js';
export type { BatchNormConfig, LrnConfig } from './norm.js';
export { BatchNorm, LocalResponseNorm } from './norm.js';
export type { AvgPool2dConfig, Pool2dConfig } from './pool.js';
export { AvgPool2d, MaxPool2d } from './pool.js';
export type { ChannelShuffleConfig, ChannelSliceConfig, ShortcutConfig } from './shuffle.js';
export { ChannelShuffle, ChannelSlice, channelShuffle, channelSlice, Shortcut, shortcut } from './shuffle.js';
export type { StochasticPool2dConfig } from './stochastic-pool.js';
export { StochasticPool2d } from './stochastic-pool.js';
export type { Subsample2dConfig } from './subsample.js';
export { Subsample2d } from './subsample.js';
export type { ZeroPadding, ZeroPadding2dConfig } from './zero-pad.js';
export { ZeroPadding2d } from './zero-pad.js';

// Containers, blocks and summaries

export { AuxiliaryHead, applyWithAuxiliary } from './auxiliary.js';
export type { InceptionConfig, MlpconvConfig } from './blocks.js';
export { inception, mlpconv } from './blocks.js';
export { Concat, concat } from './concat.js';
export { Add, add, Multiply, multiply } from './merge.js';
export { Sequential, sequential } from './sequential.js';
export type { Summary, SummaryOptions } from './summary.js';
export { summary } from './summary.js';

// Fused ops: act(conv + bias) and act(x·w + bias) as one kernel forward and backward, where the backend fuses

export type { FusedActivation } from './ops.js';
export { convBiasActivation, fusesHere, matMulBiasActivation } from './ops.js';
export type { ExplicitPadding } from './window.js';

// Serialization: the layer registry, toJSON / fromJSON

export type { LayerConfigs, LayerType, RegisterOptions } from './registry.js';
export { createLayer, fromJSON, layerOptions, layerTypes, registerLayer, toJSON } from './registry.js';

// Messages

/** The known name a mistyped one most likely meant: one suggestion rule for every "did you mean" in convkit. */
export { closeName } from './suggest.js';
