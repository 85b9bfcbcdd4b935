import { shortcutPadding } from '@convkit/shape';
import { UnsupportedError } from '../errors.js';
import type { LayerJSON } from '../onnx/import-context.js';
import type { BuiltInEmitter, PytorchEmitContext, PytorchValue } from './registry.js';

const list = (value: unknown): LayerJSON[] => (Array.isArray(value) ? (value as LayerJSON[]) : []);
const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function refuse(ctx: PytorchEmitContext, why: string): never {
  throw new UnsupportedError(`${ctx.layer.name} (${ctx.layer.type})`, why);
}

/** A positive integer config value, or an error naming the layer and what it received. */
function positive(ctx: PytorchEmitContext, key: string, least = 1): number {
  const value = ctx.layer.config[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < least)
    refuse(ctx, `${key} must be an integer ≥ ${least}, received ${JSON.stringify(value)}`);
  return value;
}

/** Each branch of an add/multiply into its own variable (an identity branch is the input's variable itself). */
function branchValues(ctx: PytorchEmitContext): PytorchValue[] {
  const branches = list(ctx.layer.config.branches);
  if (branches.length === 0) refuse(ctx, 'has no branches');
  return branches.map((branch, k) => ctx.child(branch, ctx.input, ctx.fresh(`${ctx.layer.attr}_${k + 1}`)));
}

/** add → the branches' sum; every branch gives the same shape (convkit's shape tracing refuses anything else). */
function add(ctx: PytorchEmitContext): PytorchValue {
  const outs = branchValues(ctx);
  const first = outs[0] as PytorchValue;
  if (outs.some((o) => shapeText(o.shape) !== shapeText(first.shape)))
    refuse(ctx, `branches give ${outs.map((o) => shapeText(o.shape)).join(', ')}, which differ`);
  return { expr: ctx.assign(outs.map((o) => o.expr).join(' + ')), shape: first.shape };
}

/**
 * multiply → the branches' element-wise product. A branch giving `[c]` (an `[N, C]` matrix here) or
 * `[1, 1, c]` is broadcast over the `[h, w, c]` maps (a squeeze-excitation gate); the matrix is viewed as
 * `[N, C, 1, 1]` first, since NCHW broadcasting lines up the trailing axes.
 */
function multiply(ctx: PytorchEmitContext): PytorchValue {
  const outs = branchValues(ctx);
  const size = (o: PytorchValue) => o.shape.reduce((a, b) => a * b, 1);
  const full = outs.reduce((a, o) =>
    size(o) > size(a) || (size(o) === size(a) && o.shape.length > a.shape.length) ? o : a,
  );
  const channels = full.shape.at(-1);
  const fits = (o: PytorchValue) =>
    shapeText(o.shape) === shapeText(full.shape) ||
    (full.shape.length === 3 &&
      o.shape.at(-1) === channels &&
      (o.shape.length === 1 || (o.shape[0] === 1 && o.shape[1] === 1)));
  if (!outs.every(fits))
    refuse(
      ctx,
      `branches give ${outs.map((o) => shapeText(o.shape)).join(', ')}: they must be equal, or [c] / [1, 1, c] beside [h, w, c]`,
    );
  const factors = outs.map((o) =>
    o.shape.length === 1 && full.shape.length === 3 ? `${o.expr}[:, :, None, None]` : o.expr,
  );
  return { expr: ctx.assign(factors.join(' * ')), shape: full.shape };
}

/** The `[h, w, c]` of a layer that needs a map, or an error naming what it received. */
function mapShape(ctx: PytorchEmitContext): [number, number, number] {
  const shape = ctx.input.shape;
  if (shape.length !== 3) refuse(ctx, `needs an [h, w, c] map, received ${shapeText(shape)}`);
  return shape as [number, number, number];
}

/**
 * channelShuffle → ShuffleNet's shuffle in NCHW: channels `[g, c/g]` transposed to `[c/g, g]`, the
 * same permutation as convkit's NHWC reshape to `[…, g, c/g]`, swap, reshape (output channel
 * `j·g + i` is input channel `i·(c/g) + j`). Maps and vectors alike.
 */
function channelShuffle(ctx: PytorchEmitContext): PytorchValue {
  const shape = ctx.input.shape;
  const c = shape.at(-1) as number;
  const groups = positive(ctx, 'groups');
  if (c % groups !== 0) refuse(ctx, `${c} channels do not split into ${groups} groups`);
  const [h, w] = shape;
  const rest = shape.length === 3 ? `, ${h}, ${w}` : '';
  const expr = `${ctx.input.expr}.reshape(-1, ${groups}, ${c / groups}${rest}).transpose(1, 2).reshape(-1, ${c}${rest})`;
  return { expr: ctx.assign(expr), shape };
}

/** channelSlice → channels `[begin, begin + size)` (ShuffleNet v2's channel split), on maps or vectors. */
function channelSlice(ctx: PytorchEmitContext): PytorchValue {
  const c = ctx.input.shape.at(-1) as number;
  const begin = positive(ctx, 'begin', 0);
  const size = positive(ctx, 'size');
  if (begin + size > c) refuse(ctx, `channels [${begin}, ${begin + size}) do not fit in ${c}`);
  return {
    expr: ctx.assign(`${ctx.input.expr}[:, ${begin}:${begin + size}]`),
    shape: [...ctx.input.shape.slice(0, -1), size],
  };
}

/**
 * shortcut → the ResNet paper's option A: every stride-th pixel (`x[:, :, ::s, ::s]`), then channels
 * zero-padded up to `filters`, half the extra before and the rest after (the CIFAR ResNets' `F.pad`).
 */
function shortcut(ctx: PytorchEmitContext): PytorchValue {
  const [h, w, c] = mapShape(ctx);
  const stride = positive(ctx, 'stride');
  const filters = positive(ctx, 'filters');
  if (filters < c) refuse(ctx, `filters ${filters} is fewer than the input's ${c} channels`);
  const [before, after] = shortcutPadding(c, filters);
  const x = ctx.input.expr;
  const strided = stride === 1 ? x : `${x}[:, :, ::${stride}, ::${stride}]`;
  const expr = before + after === 0 ? strided : `F.pad(${strided}, (0, 0, 0, 0, ${before}, ${after}))`;
  return { expr: ctx.assign(expr), shape: [Math.ceil(h / stride), Math.ceil(w / stride), filters] };
}

/** add, multiply (branch merges), channelShuffle, channelSlice, shortcut. */
export const MERGE_EMITTERS: Record<string, BuiltInEmitter> = {
  add: { emit: add, options: { children: (c) => list(c.branches) } },
  multiply: { emit: multiply, options: { children: (c) => list(c.branches) } },
  channelShuffle: { emit: channelShuffle },
  channelSlice: { emit: channelSlice },
  shortcut: { emit: shortcut },
};
