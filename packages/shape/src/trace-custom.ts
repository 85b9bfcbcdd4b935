import { assertNonNegativeInt, ShapeError, show } from './errors.js';
import { growField } from './receptive-field.js';
import { toPair } from './size2.js';
import type { CustomSpec, CustomWindow } from './specs.js';
import { spatial } from './trace-layers.js';
import type { Field2, State, Step } from './trace-state.js';

// A layer's own declaration of its cost: checked here once, so that every
// reader of trace rows (summary, memory, diagrams) trusts it like a built-in's.

/** The step a {@link CustomSpec} declares for the state before it. */
export function traceCustom(spec: CustomSpec, name: string, state: State): Step {
  const output = declaredOutput(spec, name, state.shape);
  const { trainable = 0, nonTrainable = 0 } = spec.params ?? {};
  assertNonNegativeInt(name, 'declared trainable parameters', trainable);
  assertNonNegativeInt(name, 'declared non-trainable parameters', nonTrainable);
  assertNonNegativeInt(name, 'declared macs', spec.macs ?? 0);
  if (spec.stored !== undefined) assertNonNegativeInt(name, 'declared stored activations', spec.stored);
  return {
    output,
    field: output.length === 3 ? customField(spec, name, state) : undefined,
    params: { trainable, nonTrainable },
    macs: spec.macs ?? 0,
    ...(spec.stored === undefined ? {} : { stored: spec.stored }),
  };
}

/** The default name's stem: the kind, checked, since it names the layer in every row and message. */
export function customKind(spec: CustomSpec): string {
  if (typeof spec.kind !== 'string' || spec.kind === '') {
    throw new ShapeError(
      spec.name ?? 'trace',
      `a custom spec needs a kind (the layer's type, e.g. "squeezeExcite"), received ${show(spec.kind)}`,
      { kind: spec.kind },
    );
  }
  return spec.kind;
}

function declaredOutput(spec: CustomSpec, name: string, input: readonly number[]): number[] {
  const declared = typeof spec.output === 'function' ? spec.output([...input]) : spec.output;
  const valid =
    Array.isArray(declared) &&
    (declared.length === 1 || declared.length === 3) &&
    declared.every((n) => Number.isInteger(n) && n >= 1);
  if (!valid) {
    throw new ShapeError(
      name,
      `declares the output shape ${show(declared)} for the input [${input.join(', ')}]: a shape is [height, width, channels] or [features], positive integers, no batch`,
      { output: declared, input },
    );
  }
  return [...declared];
}

function customField(spec: CustomSpec, name: string, state: State): Field2 {
  const effect = spec.field ?? 'none';
  if (effect === 'global') return undefined;
  if (effect === 'none') return state.field;
  spatial(name, 'custom', state.shape);
  if (!state.field) return undefined;
  const [height, width] = windowAxes(effect, name);
  return [growField(state.field[0], ...height), growField(state.field[1], ...width)];
}

type Axis = readonly [{ kernel: number; stride: number; dilation: number }, number];

function windowAxes(window: CustomWindow, name: string): [Axis, Axis] {
  const kernel = toPair(name, 'field kernel', window.kernel);
  const stride = toPair(name, 'field stride', window.stride ?? 1);
  const dilation = toPair(name, 'field dilation', window.dilation ?? 1);
  const pad = window.padBefore ?? 0;
  const before = typeof pad === 'number' ? [pad, pad] : pad;
  const axis = (k: 0 | 1): Axis => {
    assertNonNegativeInt(name, 'field padBefore', before[k]);
    return [{ kernel: kernel[k], stride: stride[k], dilation: dilation[k] }, before[k]];
  };
  return [axis(0), axis(1)];
}
