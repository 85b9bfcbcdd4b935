import { UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import { type Converted, type Flow, type ImportContext, readScalar, spatial } from './import-context.js';
import { describeNode } from './statics.js';

/** ONNX's reshaping ops as convkit sees them: Flatten, Reshape, Transpose (layout only), Pad. */

/** Whether a node flattens a `[h, w, c]` map to `[N, h·w·c]`: Flatten at axis 1, or Reshape to two dims. */
export function isFlatten(ctx: ImportContext, node: OnnxNode, [h = 0, w = 0, c = 0]: readonly number[]): boolean {
  if (node.op === 'Flatten') return new Attributes(node, ctx.file).int('axis', 1) === 1;
  if (node.op !== 'Reshape') return false;
  const [batch, features, ...rest] = reshapeTarget(ctx, node);
  if (batch === undefined || features === undefined || rest.length > 0) return false;
  // batch 0 copies the input's batch; a positive one is a graph exported for a fixed batch.
  return (features === h * w * c && batch >= -1) || (features === -1 && batch >= 0);
}

/** A Reshape's target shape: its `shape` input (an attribute before opset 5). */
export function reshapeTarget(ctx: ImportContext, node: OnnxNode): number[] {
  const attribute = node.attributes.get('shape');
  if (ctx.opset < 5 && attribute?.type === 'ints') return attribute.value;
  return ctx.statics.integers(node, 1, 'shape');
}

export function flatten(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted {
  const next = { value: node.outputs[0] ?? '' };
  if (flow.shape.length === 1) return { layers: [], flow: { ...flow, ...next } };
  const [h, w, c] = flow.shape as [number, number, number];
  const layers = [{ type: 'flatten', config: { name: ctx.layerName(node) } }];
  // ONNX flattens NCHW as (c, h, w); convkit's Flatten gives (h, w, c): the next dense layer reorders its rows.
  const order: [number, number, number] | undefined = !flow.nhwc && h * w > 1 ? [h, w, c] : undefined;
  return { layers, flow: { ...next, shape: [h * w * c], ...(order ? { order } : {}) } };
}

export function reshape(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted {
  const target = reshapeTarget(ctx, node);
  if (flow.shape.length === 3 && isFlatten(ctx, node, flow.shape)) return flatten(ctx, node, flow);
  const size = flow.shape.reduce((x, y) => x * y, 1);
  const same =
    (flow.shape.length === 1 && target.length === 2 && (target[1] === size || target[1] === -1)) ||
    (flow.shape.length === 3 &&
      !flow.nhwc &&
      target.length === 4 &&
      target[1] === flow.shape[2] &&
      target[2] === flow.shape[0] &&
      target[3] === flow.shape[1]);
  if (same) return { layers: [], flow: { ...flow, value: node.outputs[0] ?? '' } };
  throw new UnsupportedError(
    describeNode(node),
    `reshapes [N, ${flow.shape.join(', ')}] (convkit layout) to [${target.join(', ')}]; convkit reads reshapes that flatten each example, and a channel shuffle (Reshape [N, g, C/g, H, W] → Transpose [0, 2, 1, 3, 4] → Reshape [N, C, H, W])`,
  );
}

export function transpose(node: OnnxNode, flow: Flow, a: Attributes): Converted {
  const perm = a.ints('perm', undefined, 4)?.join(',');
  const next = { value: node.outputs[0] ?? '' };
  if (flow.shape.length === 3 && !flow.nhwc && perm === '0,2,3,1')
    return { layers: [], flow: { ...flow, ...next, nhwc: true } };
  if (flow.shape.length === 3 && flow.nhwc && perm === '0,3,1,2')
    return { layers: [], flow: { value: next.value, shape: flow.shape } };
  throw new UnsupportedError(
    describeNode(node),
    `perm [${perm ?? ''}]: convkit reads a transpose to NCHW at the input and to NHWC before a flatten or at the output`,
  );
}

/** A Pad's mode, pads (`[n0, c0, top, left, n1, c1, bottom, right]` on a map) and fill value, from inputs or (before opset 11) attributes. */
export function padSettings(ctx: ImportContext, node: OnnxNode, a: Attributes) {
  const mode = a.string('mode', 'constant');
  const pads = ctx.opset >= 11 ? ctx.statics.integers(node, 1, 'pads') : (a.ints('pads', undefined, 8) ?? []);
  const value =
    ctx.opset >= 11 ? (node.inputs[2] ? readScalar(ctx, node, 2, 'constant_value') : 0) : a.float('value', 0);
  return { mode, pads, value };
}

export function pad(ctx: ImportContext, node: OnnxNode, flow: Flow, a: Attributes): Converted {
  const [h, w, c] = spatial(node, flow);
  const { mode, pads, value } = padSettings(ctx, node, a);
  const [n0, c0, top = 0, left = 0, n1, c1, bottom = 0, right = 0] = pads;
  if (
    mode !== 'constant' ||
    value !== 0 ||
    pads.length !== 8 ||
    n0 ||
    c0 ||
    n1 ||
    c1 ||
    pads.some((p) => p < 0) ||
    (node.inputs[3] ?? '') !== ''
  ) {
    throw new UnsupportedError(
      describeNode(node),
      `mode ${mode}, value ${value}, pads [${pads.join(', ')}]: convkit pads height and width with zeros (ZeroPadding2d), or channels with zeros on both sides (an option-A shortcut)`,
    );
  }
  const config = {
    name: ctx.layerName(node),
    padding: [
      [top, bottom],
      [left, right],
    ],
  };
  return {
    layers: [{ type: 'zeroPadding2d', config }],
    flow: { value: node.outputs[0] ?? '', shape: [h + top + bottom, w + left + right, c] },
  };
}
