import { assertNonNegativeInt, assertPositiveInt, ShapeError } from './errors.js';
import type { Shape } from './trace.js';
import { spatial } from './trace-layers.js';

// The output shapes of the layers that join, reorder or cut channels (ResNet, SE gates, ShuffleNet),
// from shapes alone, so that layers and trace share one rule and one message per mistake.

/** How branch outputs are joined element-wise. */
export type MergeMode = 'add' | 'multiply';

const list = (outputs: readonly Shape[]): string =>
  outputs.map((s, j) => `branch ${j} gives [${s.join(', ')}]`).join(', ');

/** A squeeze-excitation gate: `[c]` or `[1, 1, c]`, broadcast over every pixel by `multiply`. */
function isGate(shape: Shape): boolean {
  return shape.length === 1 || (shape.length === 3 && shape[0] === 1 && shape[1] === 1);
}

const same = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/**
 * The output of joining branches element-wise, from their output shapes
 * alone (an empty branch gives the input itself). `add` needs equal shapes
 * (a residual connection); `multiply` also takes a `[c]` or `[1, 1, c]` gate
 * broadcast over `[h, w, c]` (squeeze-and-excitation). Throws a `ShapeError`
 * naming `name` and listing every branch's shape when they do not fit.
 *
 * @example
 * ```ts
 * mergeOutput('block1', 'add', [56, 56, 64], [[56, 56, 64], [56, 56, 64]]); // [56, 56, 64]
 * mergeOutput('se', 'multiply', [7, 7, 32], [[7, 7, 32], [32]]);           // [7, 7, 32]
 * ```
 */
export function mergeOutput(name: string, mode: MergeMode, input: Shape, outputs: readonly Shape[]): number[] {
  if (outputs.length === 0) {
    throw new ShapeError(name, `${mode === 'add' ? 'an' : 'a'} ${mode} needs at least one branch, received none`, {
      input,
      branches: [],
    });
  }
  const first = outputs[0] as Shape;
  if (outputs.every((s) => same(s, first))) return [...first];
  if (mode === 'add') {
    const i = outputs.findIndex((s) => !same(s, first));
    throw new ShapeError(
      name,
      `added branches must give equal shapes, but branch ${i} does not (${list(outputs)}): give the shortcut a projection (a 1×1 conv with the block's stride) or option A (\`shortcut\`)`,
      { input, outputs },
    );
  }
  return broadcastGates(name, input, outputs);
}

/** Multiply's shapes: equal full shapes, each gate's channels equal to theirs. */
function broadcastGates(name: string, input: Shape, outputs: readonly Shape[]): number[] {
  const full = outputs.filter((s) => !isGate(s));
  const target = full[0] ?? [1, 1, outputs[0]?.at(-1) as number];
  const channels = target.at(-1);
  const i = outputs.findIndex((s) => (isGate(s) ? s.at(-1) !== channels : !same(s, target)));
  if (i >= 0) {
    throw new ShapeError(
      name,
      `multiplied branches must give equal shapes or a [c] / [1, 1, c] gate of the same channels, but branch ${i} does not (${list(outputs)}): make the gate's last dense or 1×1 conv give ${channels} channels`,
      { input, outputs },
    );
  }
  return [...target];
}

/**
 * Channel shuffle (ShuffleNet): `[h, w, c]` → the same shape, output channel
 * `k` = input channel `(k mod g)·(c/g) + ⌊k/g⌋`. `c` must divide by `groups`.
 */
export function shuffleOutput(name: string, input: Shape, groups: number): number[] {
  const [h, w, c] = spatial(name, 'shuffle', input);
  assertPositiveInt(name, 'groups', groups);
  if (c % groups !== 0) {
    throw new ShapeError(
      name,
      `${c} channels do not split into ${groups} groups: shuffle with a group count that divides ${c}`,
      { input, groups },
    );
  }
  return [h, w, c];
}

/** Channels `[begin, begin + size)` of `[h, w, c]` (ShuffleNet v2's channel split): `[h, w, size]`. */
export function sliceOutput(name: string, input: Shape, begin: number, size: number): number[] {
  const [h, w, c] = spatial(name, 'slice', input);
  assertNonNegativeInt(name, 'begin', begin);
  assertPositiveInt(name, 'size', size);
  if (begin + size > c) {
    throw new ShapeError(
      name,
      `channels [${begin}, ${begin + size}) do not fit in ${c} channels: keep begin + size ≤ ${c}`,
      { input, begin, size },
    );
  }
  return [h, w, size];
}

/** Zero channels before and after an option-A shortcut's input: half before, the rest (the odd one) after. */
export function shortcutPadding(channels: number, filters: number): [before: number, after: number] {
  const extra = filters - channels;
  const before = Math.floor(extra / 2);
  return [before, extra - before];
}

/**
 * The ResNet paper's option-A shortcut: every `stride`-th pixel
 * (`x[::s, ::s]`) with zero channels added up to `filters`; no parameters.
 * `[h, w, c]` → `[⌈h/s⌉, ⌈w/s⌉, filters]`, `filters ≥ c`.
 */
export function shortcutOutput(name: string, input: Shape, stride: number, filters: number): number[] {
  const [h, w, c] = spatial(name, 'shortcut', input);
  assertPositiveInt(name, 'stride', stride);
  assertPositiveInt(name, 'filters', filters);
  if (filters < c) {
    throw new ShapeError(
      name,
      `an option-A shortcut only adds zero channels, but ${filters} filters < ${c} input channels: use filters ≥ ${c} or a projection (a 1×1 conv)`,
      { input, stride, filters },
    );
  }
  return [Math.ceil(h / stride), Math.ceil(w / stride), filters];
}
