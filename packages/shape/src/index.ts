/**
 * @convkit/shape — the shape math of convolutional networks on plain numbers:
 * output sizes, padding, parameter counts, MACs, memory and receptive
 * fields, exact and explained. No tensors, no dependencies; runs anywhere.
 *
 * Shapes are per image and channels last (`[height, width, channels]`),
 * matching tfjs' NHWC tensors without the batch dimension.
 *
 * @packageDocumentation
 */

export type { Cost, Dtype } from './cost.js';
export { bytesPerElement, convMacs, cost, denseMacs, elements } from './cost.js';
// Errors
export { ShapeError } from './errors.js';
// Formatting
export type { Align } from './format.js';
export { formatBytes, formatCount, formatMetric, formatTable } from './format.js';
// One axis: output size and padding
export { windowOutputSize } from './formula.js';
export type { MemoryEstimate } from './memory.js';
export type { MergeMode } from './merge.js';
// Joins and channel moves: residual adds, gates, shuffle, split, option-A shortcuts
export { mergeOutput, shortcutOutput, shortcutPadding, shuffleOutput, sliceOutput } from './merge.js';
export type { OutputSizeExplanation, OutputSizeOptions } from './output-size.js';
export { explainOutputSize, outputSize } from './output-size.js';
export type { AxisPadding, Padding, PaddingMode, SamePaddingOptions, WindowOptions } from './padding.js';
export { axisPaddings, effectiveKernel, paddingForOutput, resolvePadding, samePadding } from './padding.js';
export type { ConnectionTable, ConvParamsOptions, DenseParamsOptions, ParamSplit } from './params.js';
// Parameters and cost
export { batchNormParams, convParams, denseParams, maxoutParams } from './params.js';
// Seeded numbers, shared by every package and test that needs them
export { mulberry32 } from './random.js';
export type { ReceptiveField, ReceptiveFieldLayer } from './receptive-field.js';
// Receptive fields
export { growField, PIXEL_FIELD, receptiveField } from './receptive-field.js';
export type { Size2 } from './size2.js';
export { toPair } from './size2.js';
export type {
  BatchNormSpec,
  ChannelPoolSpec,
  ConcatSpec,
  ConvSpec,
  CustomSpec,
  CustomWindow,
  DenseSpec,
  ElementwiseSpec,
  FlattenSpec,
  GlobalPoolSpec,
  LayerSpec,
  MergeSpec,
  Padding2d,
  PadSpec,
  PoolSpec,
  ShortcutSpec,
  ShuffleSpec,
  SliceSpec,
  TapSpec,
} from './specs.js';
export type { ReceptiveField2d, Shape, TraceOptions, TraceResult, TraceRow } from './trace.js';
// Whole networks
export { concatOutput, trace } from './trace.js';
export type { ResolvedWindow, Window2d } from './window.js';
// Two axes: one sliding window, placed
export { poolWindow, resolveWindow } from './window.js';
