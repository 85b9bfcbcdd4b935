import { bytesPerElement, type Cost, cost, type Dtype, elements, sum } from './cost.js';
import { assertPositiveInt, ShapeError, show } from './errors.js';
import { type MemoryEstimate, memoryOf, storedActivations } from './memory.js';
import type { ParamSplit } from './params.js';
import { PIXEL_FIELD } from './receptive-field.js';
import type { LayerSpec } from './specs.js';
import { traceStack } from './trace-stack.js';
import type { Context, State } from './trace-state.js';

// Kept here so that importers of trace.js keep finding it.
export { concatOutput } from './concat.js';

/** A per-image shape, channels last: `[height, width, channels]` or `[features]`. */
export type Shape = readonly number[];

/** The receptive field of a layer's output units along height and width. */
export interface ReceptiveField2d {
  size: [number, number];
  jump: [number, number];
  start: [number, number];
}

/** What {@link trace} found for one layer. All counts are per image. */
export interface TraceRow extends Cost {
  name: string;
  type: LayerSpec['type'];
  /** For a custom spec: the kind it declared (`squeezeExcite`), what a summary shows as its type. */
  kind?: string;
  /** Nesting depth: 0 at the top, 1 inside a concat, add or multiply branch (or a tap), … */
  depth: number;
  inputShape: number[];
  outputShape: number[];
  params: ParamSplit;
  /** Elements of the output. */
  activations: number;
  /** Bytes the output adds to memory, one image (0 for flatten, a view of its input). */
  activationBytes: number;
  /** Elements kept for backward, where a custom spec declares other than `activations`. */
  stored?: number;
  /** Absent once the output depends on the whole input (after flatten, dense or global pooling). */
  receptiveField?: ReceptiveField2d;
  /** For window layers: the output-size formula of height and width, with numbers. */
  formulas?: [string, string];
  /** For concat, add, multiply and tap: the rows of each branch. */
  branches?: TraceRow[][];
}

/** Options of {@link trace}. */
export interface TraceOptions {
  /** Images per batch, for the batch memory figures. Default 1. */
  batch?: number;
  /** Element type of weights and activations. Default `'float32'`. */
  dtype?: Dtype;
  /** Optimizer state tensors per trainable weight: 0 for plain SGD, 1 for momentum, 2 for Adam. Default 1. */
  optimizerSlots?: number;
  /** Throw when any output size is not an integer, instead of flooring. Default false. */
  strict?: boolean;
}

/** The result of {@link trace}: per-layer rows, totals and memory. */
export interface TraceResult {
  input: number[];
  output: number[];
  rows: TraceRow[];
  totals: Cost & {
    params: number;
    trainable: number;
    nonTrainable: number;
    /** Input plus every layer output (a flatten adds none: it is a view), elements per image. */
    activations: number;
  };
  memory: MemoryEstimate;
}

/**
 * Walks a stack of layer geometries from an input shape, with no tensor:
 * per layer the output shape, parameters, MACs (FLOPs = 2 × MACs),
 * activations and receptive field; then totals and memory for inference and
 * training. The engine under `summary()`.
 *
 * Shapes are per image and channels last (`[height, width, channels]`).
 *
 * @example
 * ```ts
 * const t = trace([32, 32, 1], [
 *   { type: 'conv', filters: 6, kernel: 5 },    // 28×28×6, 156 params
 *   { type: 'pool', kernel: 2 },                // 14×14×6
 *   { type: 'flatten' },
 *   { type: 'dense', units: 10 },
 * ]);
 * t.output;         // [10]
 * t.totals.params;  // 11926
 * ```
 */
export function trace(input: Shape, layers: readonly LayerSpec[], options: TraceOptions = {}): TraceResult {
  const inputShape = checkInput(input);
  const context: Context = {
    counters: new Map(),
    strict: options.strict ?? false,
    bytes: bytesPerElement(options.dtype ?? 'float32'),
  };
  const start: State = { shape: inputShape, field: inputShape.length === 3 ? [PIXEL_FIELD, PIXEL_FIELD] : undefined };
  const { rows, state } = traceStack(layers, start, context, 0);
  const all = flatten(rows);
  const trainable = sum(rows, (r) => r.params.trainable);
  const nonTrainable = sum(rows, (r) => r.params.nonTrainable);
  const macs = sum(rows, (r) => r.macs);
  const activations = elements(inputShape) + sum(all, storedActivations);
  return {
    input: inputShape,
    output: state.shape,
    rows,
    totals: { params: trainable + nonTrainable, trainable, nonTrainable, ...cost(macs), activations },
    memory: memoryOf(rows, { input: elements(inputShape), trainable, nonTrainable, activations }, options),
  };
}

function checkInput(input: Shape): number[] {
  const op = 'trace';
  if (!Array.isArray(input) || (input.length !== 3 && input.length !== 1)) {
    throw new ShapeError(
      op,
      `the input shape must be [height, width, channels] or [features], received ${show(input)}`,
      {
        input,
      },
    );
  }
  input.forEach((n, i) => {
    assertPositiveInt(op, `input dimension ${i}`, n);
  });
  return [...input];
}

function flatten(rows: readonly TraceRow[]): TraceRow[] {
  return rows.flatMap((r) => [r, ...flatten(r.branches?.flat() ?? [])]);
}
