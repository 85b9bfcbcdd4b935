import { concatOutput, unionField } from './concat.js';
import { cost, elements, sum } from './cost.js';
import { ShapeError, show } from './errors.js';
import { mergeOutput, shortcutOutput, shuffleOutput, sliceOutput } from './merge.js';
import type { ParamSplit } from './params.js';
import type { ReceptiveField } from './receptive-field.js';
import { growField } from './receptive-field.js';
import type { ConcatSpec, LayerSpec, MergeSpec, ShortcutSpec, TapSpec } from './specs.js';
import type { ReceptiveField2d, TraceRow } from './trace.js';
import { customKind, traceCustom } from './trace-custom.js';
import { spatial, traceBatchNorm, traceChannelPool, traceDense, tracePad, traceWindow } from './trace-layers.js';
import type { Context, State, Step } from './trace-state.js';

// The fold of trace(): layer after layer, into concat and merge branches and tap sides, one row each.

/** Traces `layers` in order from `start`, at nesting `depth`. */
export function traceStack(
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
  const { output, field, formulas, branches, params, macs, stored } = stepOf(spec, name, state, context, depth);
  const row: TraceRow = {
    name,
    type: spec.type,
    depth,
    inputShape: [...state.shape],
    outputShape: output,
    params: params ?? { trainable: 0, nonTrainable: 0 },
    ...cost(macs ?? 0),
    activations: elements(output),
    // A flatten is a view of its input; a tap passes its input on (its side rows count).
    activationBytes: spec.type === 'flatten' || spec.type === 'tap' ? 0 : (stored ?? elements(output)) * context.bytes,
  };
  if (spec.type === 'custom') row.kind = spec.kind;
  if (stored !== undefined) row.stored = stored;
  if (field) row.receptiveField = field2d(field);
  if (formulas) row.formulas = formulas;
  if (branches) row.branches = branches;
  return { row, next: { shape: output, field } };
}

function stepOf(spec: LayerSpec, name: string, state: State, context: Context, depth: number): Step {
  const input = state.shape;
  switch (spec.type) {
    case 'conv':
    case 'pool':
      return traceWindow(spec, name, state, context.strict);
    case 'globalPool':
      return { output: [spatial(name, spec.type, input)[2]], field: undefined };
    case 'flatten':
      return { output: [elements(input)], field: undefined };
    case 'dense':
      return traceDense(spec, name, input);
    case 'batchNorm':
      return traceBatchNorm(spec, name, state);
    case 'channelPool':
      return traceChannelPool(spec, name, state);
    case 'concat':
    case 'add':
    case 'multiply':
      return traceBranches(spec, name, state, context, depth);
    case 'shuffle':
      return { output: shuffleOutput(name, input, spec.groups), field: state.field };
    case 'slice':
      return { output: sliceOutput(name, input, spec.begin, spec.size), field: state.field };
    case 'shortcut':
      return traceShortcut(spec, name, state);
    case 'pad':
      return tracePad(spec, name, state);
    case 'tap':
      return traceTap(spec, state, context, depth);
    case 'custom':
      return traceCustom(spec, name, state);
    case 'activation':
    case 'dropout':
    case 'lrn':
      return { output: input, field: state.field };
    default:
      throw new ShapeError(
        name,
        `unknown layer type ${show((spec as { type: unknown }).type)}: use conv, pool, globalPool, dense, flatten, concat, add, multiply, shuffle, slice, shortcut, batchNorm, channelPool, pad, tap, activation, dropout, lrn, or custom to declare your own`,
        { spec },
      );
  }
}

/** A concat or element-wise merge: every branch traced from the input; parameters and MACs are the branches' sums. */
function traceBranches(
  spec: ConcatSpec | MergeSpec,
  name: string,
  state: State,
  context: Context,
  depth: number,
): Step {
  if (spec.type === 'concat') spatial(name, 'concat', state.shape);
  if (!Array.isArray(spec.branches) || spec.branches.length === 0) {
    throw new ShapeError(
      name,
      `${spec.type === 'add' ? 'an' : 'a'} ${spec.type} needs at least one branch, received none`,
      { branches: spec.branches },
    );
  }
  const traced = spec.branches.map((branch) => traceStack(branch, state, context, depth + 1));
  const outputs = traced.map((t) => t.state.shape);
  const output =
    spec.type === 'concat'
      ? concatOutput(name, state.shape, outputs)
      : mergeOutput(name, spec.type, state.shape, outputs);
  const branches = traced.map((t) => t.rows);
  return { output, field: unionField(traced.map((t) => t.state.field)), branches, ...costOf(branches.flat()) };
}

/** Option A samples every stride-th pixel: a 1×1 window with that stride, for the receptive field. */
function traceShortcut(spec: ShortcutSpec, name: string, state: State): Step {
  const output = shortcutOutput(name, state.shape, spec.stride, spec.filters);
  const axis = { kernel: 1, stride: spec.stride, dilation: 1 };
  const { field } = state;
  return { output, field: field && [growField(field[0], axis, 0), growField(field[1], axis, 0)] };
}

/** A tap's side layers see its input and count; its output is its input. */
function traceTap(spec: TapSpec, state: State, context: Context, depth: number): Step {
  const side = traceStack(spec.layers, state, context, depth + 1);
  return { output: state.shape, field: state.field, branches: [side.rows], ...costOf(side.rows) };
}

function costOf(rows: readonly TraceRow[]): { params: ParamSplit; macs: number } {
  return {
    params: {
      trainable: sum(rows, (r) => r.params.trainable),
      nonTrainable: sum(rows, (r) => r.params.nonTrainable),
    },
    macs: sum(rows, (r) => r.macs),
  };
}

function nameOf(spec: LayerSpec, context: Context): string {
  const stem = spec.type === 'custom' ? customKind(spec) : spec.type;
  const count = (context.counters.get(stem) ?? 0) + 1;
  context.counters.set(stem, count);
  return spec.name ?? `${stem}${count}`;
}

function field2d([h, w]: [ReceptiveField, ReceptiveField]): ReceptiveField2d {
  return { size: [h.size, w.size], jump: [h.jump, w.jump], start: [h.start, w.start] };
}
