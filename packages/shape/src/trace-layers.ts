import { convMacs, denseMacs } from './cost.js';
import { assertPositiveInt, ShapeError, show } from './errors.js';
import { axisPaddings, resolvePadding } from './padding.js';
import { batchNormParams, convParams, denseParams } from './params.js';
import { growField } from './receptive-field.js';
import type { BatchNormSpec, ChannelPoolSpec, ConvSpec, DenseSpec, PadSpec, PoolSpec } from './specs.js';
import type { State, Step } from './trace-state.js';
import { poolWindow, type ResolvedWindow, resolveWindow } from './window.js';

// The tracers of single layers: each takes the state before the layer and says what the layer does.

/** A conv or pool layer: one sliding window placed over height and width. */
export function traceWindow(spec: ConvSpec | PoolSpec, name: string, state: State, strict: boolean): Step {
  const [h, w, c] = spatial(name, spec.type, state.shape);
  const window = resolveWindow(name, [h, w], {
    ...(spec.type === 'pool' ? poolWindow(spec) : spec),
    strict: spec.strict ?? strict,
  });
  const { field } = state;
  const step = {
    formulas: window.formulas,
    field: field && [growField(field[0], ...fieldAxis(window, 0)), growField(field[1], ...fieldAxis(window, 1))],
  } satisfies Partial<Step>;
  if (spec.type === 'pool') {
    return {
      ...step,
      output: [...window.output, c],
      params: { trainable: spec.trainable ? 2 * c : 0, nonTrainable: 0 },
    };
  }
  const conv = { ...convOptions(spec, c, name), kernel: window.kernel };
  return {
    ...step,
    output: [...window.output, spec.filters],
    params: { trainable: convParams(conv), nonTrainable: 0 },
    macs: convMacs({ ...conv, output: window.output }),
  };
}

export function traceDense(spec: DenseSpec, name: string, input: readonly number[]): Step {
  if (input.length !== 1) {
    throw new ShapeError(
      name,
      `a dense layer needs a flat input, received [${input.join(', ')}]: add { type: 'flatten' } before it`,
      { input },
    );
  }
  const dense = { inFeatures: input[0] as number, units: spec.units, bias: spec.bias ?? true, op: name };
  const count = denseParams(dense);
  return {
    output: [spec.units],
    params: spec.trainable === false ? { trainable: 0, nonTrainable: count } : { trainable: count, nonTrainable: 0 },
    macs: denseMacs(dense),
    field: undefined,
  };
}

export function traceBatchNorm(spec: BatchNormSpec, name: string, state: State): Step {
  const params = batchNormParams(channelsOf(state.shape), {
    scale: spec.scale ?? true,
    center: spec.center ?? true,
    op: name,
  });
  return { output: state.shape, field: state.field, params };
}

export function traceChannelPool(spec: ChannelPoolSpec, name: string, state: State): Step {
  const input = state.shape;
  const channels = channelsOf(input);
  assertPositiveInt(name, 'pieces', spec.pieces);
  if (channels % spec.pieces !== 0) {
    throw new ShapeError(
      name,
      `${channels} channels do not split into groups of ${spec.pieces} pieces: use a filter count divisible by ${spec.pieces}`,
      { channels, pieces: spec.pieces },
    );
  }
  return { output: [...input.slice(0, -1), channels / spec.pieces], field: state.field };
}

export function tracePad(spec: PadSpec, name: string, state: State): Step {
  const [h, w, c] = spatial(name, spec.type, state.shape);
  const [[top, bottom], [left, right]] = axisPaddings(name, spec.padding).map((p, k) => {
    if (typeof p === 'string') {
      throw new ShapeError(name, `zero padding takes numbers or [before, after], received ${show(p)}`, {
        padding: p,
      });
    }
    return resolvePadding(name, k === 0 ? h : w, p, { kernel: 1 });
  }) as [[number, number], [number, number]];
  const { field } = state;
  return {
    output: [h + top + bottom, w + left + right, c],
    // Output pixel 0 sits `top` (`left`) pixels before input pixel 0.
    field: field && [
      { ...field[0], start: field[0].start - top * field[0].jump },
      { ...field[1], start: field[1].start - left * field[1].jump },
    ],
  };
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

/** The input as `[height, width, channels]`, or a `ShapeError` naming the layer. */
export function spatial(name: string, type: string, shape: readonly number[]): [number, number, number] {
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
