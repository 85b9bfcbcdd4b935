import { bytesPerElement, type Cost, convMacs, cost, type Dtype, denseMacs, elements, sum } from './cost.js';
import { assertPositiveInt, ShapeError, show } from './errors.js';
import { type MemoryEstimate, memoryOf, storedActivations } from './memory.js';
import { axisPaddings, resolvePadding } from './padding.js';
import { batchNormParams, convParams, denseParams, type ParamSplit } from './params.js';
import { growField, PIXEL_FIELD, type ReceptiveField } from './receptive-field.js';
import type { ConcatSpec, ConvSpec, LayerSpec } from './specs.js';
import { poolWindow, type ResolvedWindow, resolveWindow } from './window.js';

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
  /** Nesting depth: 0 at the top, 1 inside a concat branch, … */
  depth: number;
  inputShape: number[];
  outputShape: number[];
  params: ParamSplit;
  /** Elements of the output. */
  activations: number;
  /** Bytes the output adds to memory, one image (0 for flatten, a view of its input). */
  activationBytes: number;
  /** Absent once the output depends on the whole input (after flatten, dense or global pooling). */
  receptiveField?: ReceptiveField2d;
  /** For window layers: the output-size formula of height and width, with numbers. */
  formulas?: [string, string];
  /** For concat: the rows of each branch. */
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

interface State {
  shape: number[];
  field: [ReceptiveField, ReceptiveField] | undefined;
}

interface Context {
  counters: Map<string, number>;
  strict: boolean;
  bytes: number;
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

function traceStack(
  layers: readonly LayerSpec[],
  start: State,
  context: Context,
  depth: number,
): { rows: TraceRow[]; state: State } {
  let state = start;
  const rows: TraceRow[] = [];
  for (const spec of layers) {
    const name = nameOf(spec, context);
    const { row, next } = traceLayer(spec, name, state, context, depth);
    rows.push(row);
    state = next;
  }
  return { rows, state };
}

function traceLayer(
  spec: LayerSpec,
  name: string,
  state: State,
  context: Context,
  depth: number,
): { row: TraceRow; next: State } {
  const input = state.shape;
  let output: number[] = input;
  let params: ParamSplit = { trainable: 0, nonTrainable: 0 };
  let macs = 0;
  let field = state.field;
  let formulas: [string, string] | undefined;
  let branches: TraceRow[][] | undefined;

  switch (spec.type) {
    case 'conv':
    case 'pool': {
      const [h, w, c] = spatial(name, spec.type, input);
      const window = resolveWindow(name, [h, w], {
        ...(spec.type === 'pool' ? poolWindow(spec) : spec),
        strict: spec.strict ?? context.strict,
      });
      formulas = window.formulas;
      field = field && [growField(field[0], ...fieldAxis(window, 0)), growField(field[1], ...fieldAxis(window, 1))];
      if (spec.type === 'conv') {
        const conv = { ...convOptions(spec, c, name), kernel: window.kernel };
        output = [...window.output, spec.filters];
        params = { trainable: convParams(conv), nonTrainable: 0 };
        macs = convMacs({ ...conv, output: window.output });
      } else {
        output = [...window.output, c];
        params = { trainable: spec.trainable ? 2 * c : 0, nonTrainable: 0 };
      }
      break;
    }
    case 'globalPool': {
      const [, , c] = spatial(name, spec.type, input);
      output = [c];
      field = undefined;
      break;
    }
    case 'flatten':
      output = [elements(input)];
      field = undefined;
      break;
    case 'dense': {
      if (input.length !== 1) {
        throw new ShapeError(
          name,
          `a dense layer needs a flat input, received [${input.join(', ')}]: add { type: 'flatten' } before it`,
          { input },
        );
      }
      const dense = { inFeatures: input[0] as number, units: spec.units, bias: spec.bias ?? true, op: name };
      output = [spec.units];
      const count = denseParams(dense);
      params = spec.trainable === false ? { trainable: 0, nonTrainable: count } : { trainable: count, nonTrainable: 0 };
      macs = denseMacs(dense);
      field = undefined;
      break;
    }
    case 'batchNorm':
      params = batchNormParams(channelsOf(input), { scale: spec.scale ?? true, center: spec.center ?? true, op: name });
      break;
    case 'channelPool': {
      const channels = channelsOf(input);
      assertPositiveInt(name, 'pieces', spec.pieces);
      if (channels % spec.pieces !== 0) {
        throw new ShapeError(
          name,
          `${channels} channels do not split into groups of ${spec.pieces} pieces: use a filter count divisible by ${spec.pieces}`,
          { channels, pieces: spec.pieces },
        );
      }
      output = [...input.slice(0, -1), channels / spec.pieces];
      break;
    }
    case 'concat': {
      const joined = traceConcat(spec, name, state, context, depth);
      ({ output, field, branches } = joined);
      params = {
        trainable: sum(joined.rows, (r) => r.params.trainable),
        nonTrainable: sum(joined.rows, (r) => r.params.nonTrainable),
      };
      macs = sum(joined.rows, (r) => r.macs);
      break;
    }
    case 'pad': {
      const [h, w, c] = spatial(name, spec.type, input);
      const [[top, bottom], [left, right]] = axisPaddings(name, spec.padding).map((p, k) => {
        if (typeof p === 'string') {
          throw new ShapeError(name, `zero padding takes numbers or [before, after], received ${show(p)}`, {
            padding: p,
          });
        }
        return resolvePadding(name, k === 0 ? h : w, p, { kernel: 1 });
      }) as [[number, number], [number, number]];
      output = [h + top + bottom, w + left + right, c];
      // Output pixel 0 sits `top` (`left`) pixels before input pixel 0.
      field = field && [
        { ...field[0], start: field[0].start - top * field[0].jump },
        { ...field[1], start: field[1].start - left * field[1].jump },
      ];
      break;
    }
    case 'tap': {
      const side = traceStack(spec.layers, state, context, depth + 1);
      branches = [side.rows];
      params = {
        trainable: sum(side.rows, (r) => r.params.trainable),
        nonTrainable: sum(side.rows, (r) => r.params.nonTrainable),
      };
      macs = sum(side.rows, (r) => r.macs);
      break;
    }
    case 'activation':
    case 'dropout':
    case 'lrn':
      break;
    default:
      throw new ShapeError(
        name,
        `unknown layer type ${show((spec as { type: unknown }).type)}: use conv, pool, globalPool, dense, flatten, concat, batchNorm, channelPool, pad, tap, activation, dropout or lrn`,
        { spec },
      );
  }

  const row: TraceRow = {
    name,
    type: spec.type,
    depth,
    inputShape: [...input],
    outputShape: output,
    params,
    ...cost(macs),
    activations: elements(output),
    // A flatten is a view of its input; a tap passes its input on (its side rows count).
    activationBytes: spec.type === 'flatten' || spec.type === 'tap' ? 0 : elements(output) * context.bytes,
  };
  if (field) row.receptiveField = field2d(field);
  if (formulas) row.formulas = formulas;
  if (branches) row.branches = branches;
  return { row, next: { shape: output, field } };
}

function traceConcat(spec: ConcatSpec, name: string, state: State, context: Context, depth: number) {
  spatial(name, 'concat', state.shape);
  if (!Array.isArray(spec.branches) || spec.branches.length === 0) {
    throw new ShapeError(name, 'a concat needs at least one branch, received none', { branches: spec.branches });
  }
  const traced = spec.branches.map((branch) => traceStack(branch, state, context, depth + 1));
  const output = concatOutput(
    name,
    state.shape,
    traced.map((t) => t.state.shape),
  );
  const branches = traced.map((t) => t.rows);
  return { output, field: unionField(traced.map((t) => t.state.field)), branches, rows: branches.flat() };
}

/**
 * The output of concatenating branches on channels, from the branches'
 * output shapes alone; throws a `ShapeError` naming `name` when they
 * disagree on height and width. Containers that already know their
 * branches' outputs use it instead of tracing the branches again.
 *
 * @example
 * ```ts
 * concatOutput('inception3a', [28, 28, 192], [[28, 28, 64], [28, 28, 128]]); // [28, 28, 192]
 * ```
 */
export function concatOutput(name: string, input: Shape, outputs: readonly Shape[]): number[] {
  spatial(name, 'concat', input);
  if (outputs.length === 0) {
    throw new ShapeError(name, 'a concat needs at least one branch, received none', { branches: [] });
  }
  // Branches may downsample (Inception v3's grid reductions) but must agree with each other.
  const [oh, ow] = outputs[0] as number[];
  outputs.forEach((shape, i) => {
    if (shape.length !== 3 || shape[0] !== oh || shape[1] !== ow) {
      const all = outputs.map((s, j) => `branch ${j} gives [${s.join(', ')}]`).join(', ');
      throw new ShapeError(
        name,
        `concatenated branches must agree on height and width, but branch ${i} does not (${all}): give every branch the same stride and 'same' padding`,
        { input, outputs },
      );
    }
  });
  return [oh as number, ow as number, outputs.reduce((c, s) => c + (s[2] as number), 0)];
}

/** The smallest field covering every branch's field (they are centred windows). */
function unionField(fields: State['field'][]): State['field'] {
  if (fields.some((f) => f === undefined)) return undefined;
  const axis = (k: 0 | 1): ReceptiveField => {
    const axes = fields.map((f) => (f as [ReceptiveField, ReceptiveField])[k]);
    const lo = Math.min(...axes.map((f) => f.start - (f.size - 1) / 2));
    const hi = Math.max(...axes.map((f) => f.start + (f.size - 1) / 2));
    return { size: hi - lo + 1, jump: (axes[0] as ReceptiveField).jump, start: (lo + hi) / 2 };
  };
  return [axis(0), axis(1)];
}

/** One axis of a placed window as {@link growField} takes it: the window and its padding before. */
function fieldAxis(window: ResolvedWindow, k: 0 | 1) {
  const axis = { kernel: window.kernel[k], stride: window.stride[k], dilation: window.dilation[k] };
  return [axis, window.padding[k][0]] as const;
}

function convOptions(spec: ConvSpec, inChannels: number, name: string) {
  return {
    inChannels,
    filters: spec.filters,
    groups: spec.groups ?? 1,
    bias: spec.bias ?? true,
    op: name,
    ...(spec.connections ? { connections: spec.connections } : {}),
  };
}

function spatial(name: string, type: string, shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3) {
    throw new ShapeError(
      name,
      `${type} needs an input of [height, width, channels], received [${shape.join(', ')}]: spatial layers come before flatten and dense`,
      { input: shape },
    );
  }
  return shape as [number, number, number];
}

function channelsOf(shape: readonly number[]): number {
  return shape[shape.length - 1] as number;
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

function nameOf(spec: LayerSpec, context: Context): string {
  const count = (context.counters.get(spec.type) ?? 0) + 1;
  context.counters.set(spec.type, count);
  return spec.name ?? `${spec.type}${count}`;
}

function field2d([h, w]: [ReceptiveField, ReceptiveField]): ReceptiveField2d {
  return { size: [h.size, w.size], jump: [h.jump, w.jump], start: [h.start, w.start] };
}

function flatten(rows: readonly TraceRow[]): TraceRow[] {
  return rows.flatMap((r) => [r, ...flatten(r.branches?.flat() ?? [])]);
}
