import { shortcutPadding } from '@convkit/shape';
import { UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import { type Converted, type Flow, type ImportContext, spatial } from './import-context.js';
import { padSettings } from './import-shape.js';
import { describeNode } from './statics.js';

// Slice and a channel Pad as convkit reads them: a run of channels (ShuffleNet v2's split) is a
// channelSlice; every s-th pixel, then zero channels on both sides, is ResNet's option-A shortcut.

/** Per NCHW axis: the first index kept, one past the last, and the step, each normalized as ONNX does. */
type Range = { start: number; end: number; step: number };

/** The Slice's range on each axis of an `[N, C, H, W]` map (the batch axis must be kept whole). */
function ranges(ctx: ImportContext, node: OnnxNode, [h, w, c]: readonly [number, number, number]): Range[] {
  const read = (index: number, name: string) => {
    if (ctx.opset >= 10) return node.inputs[index] ? ctx.statics.integers(node, index, name) : undefined;
    const attribute = node.attributes.get(name);
    return attribute?.type === 'ints' ? attribute.value : undefined;
  };
  const starts = read(1, 'starts') ?? [];
  const ends = read(2, 'ends') ?? [];
  const axes = read(3, 'axes') ?? starts.map((_, k) => k);
  const steps = (ctx.opset >= 10 ? read(4, 'steps') : undefined) ?? starts.map(() => 1);
  const dims: number[] = [Number.POSITIVE_INFINITY, c, h, w];
  const out: Range[] = dims.map((d) => ({ start: 0, end: d, step: 1 }));
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    throw new UnsupportedError(describeNode(node), 'starts, ends, axes and steps of different lengths');
  }
  axes.forEach((axis, k) => {
    const i = axis < 0 ? axis + 4 : axis;
    if (!(i >= 0 && i < 4)) throw new UnsupportedError(describeNode(node), `axis ${axis} of an [N, C, H, W] map`);
    const d = dims[i] ?? 0;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    out[i] = { start: clamp(starts[k] ?? 0), end: clamp(ends[k] ?? d), step: steps[k] ?? 1 };
  });
  return out;
}

const whole = (r: Range | undefined, d: number) => r?.start === 0 && r.end >= d && r.step === 1;

/** A Slice of a map: a channelSlice, or (every s-th pixel, maybe then a channel Pad) an option-A shortcut. */
export function slice(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted {
  const [h, w, c] = spatial(node, flow);
  const [batch, channels, rows, cols] = ranges(ctx, node, [h, w, c]);
  const next = { value: node.outputs[0] ?? '' };
  if (whole(batch, Number.POSITIVE_INFINITY) && whole(rows, h) && whole(cols, w) && channels?.step === 1) {
    const size = channels.end - channels.start;
    if (size >= 1) {
      const config = { name: ctx.layerName(node), begin: channels.start, size };
      return { layers: [{ type: 'channelSlice', config }], flow: { ...next, shape: [h, w, size] } };
    }
  }
  const stride = rows?.step ?? 0;
  const strided = (r: Range | undefined, d: number) => r?.start === 0 && r.end >= d && r.step === stride;
  if (
    whole(batch, Number.POSITIVE_INFINITY) &&
    whole(channels, c) &&
    stride >= 1 &&
    strided(rows, h) &&
    strided(cols, w)
  ) {
    const sampled = { ...next, shape: [Math.ceil(h / stride), Math.ceil(w / stride), c] };
    const pad = ctx.soleUser(next.value);
    const padded = pad?.op === 'Pad' ? channelPad(ctx, pad, sampled, stride) : undefined;
    if (padded) return padded;
    const config = { name: ctx.layerName(node), stride, filters: c };
    return { layers: [{ type: 'shortcut', config }], flow: sampled };
  }
  throw new UnsupportedError(
    describeNode(node),
    `slices [N, ${c}, ${h}, ${w}] as ${JSON.stringify([batch, channels, rows, cols])}: convkit reads a run of channels (channelSlice) or every s-th row and column from the first (an option-A shortcut)`,
  );
}

/**
 * A Pad of zero channels, half before and the rest after (after a strided Slice, or alone with
 * `stride` 1), as an option-A shortcut; undefined when the Pad is not that.
 */
export function channelPad(ctx: ImportContext, node: OnnxNode, flow: Flow, stride = 1): Converted | undefined {
  if (flow.shape.length !== 3 || flow.nhwc || (node.inputs[3] ?? '') !== '') return undefined;
  const { mode, pads, value } = padSettings(ctx, node, new Attributes(node, ctx.file));
  if (mode !== 'constant' || value !== 0 || pads.length !== 8) return undefined;
  const [n0, before = 0, t, l, n1, after = 0, b, r] = pads;
  if ([n0, t, l, n1, b, r].some((p) => p !== 0) || before < 0 || after < 0 || before + after === 0) return undefined;
  const [h, w, c] = flow.shape as [number, number, number];
  const filters = c + before + after;
  const [want] = shortcutPadding(c, filters);
  if (before !== want) {
    throw new UnsupportedError(
      describeNode(node),
      `pads ${before} zero channels before and ${after} after; convkit's option-A shortcut pads ${want} before and ${filters - c - want} after`,
    );
  }
  ctx.checkExtraOutputs(node);
  const config = { name: ctx.layerName(node), stride, filters };
  return { layers: [{ type: 'shortcut', config }], flow: { value: node.outputs[0] ?? '', shape: [h, w, filters] } };
}
