import { UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import type { Converted, Flow, ImportContext } from './import-context.js';
import { reshapeTarget } from './import-shape.js';
import { describeNode } from './statics.js';

// ShuffleNet's channel shuffle as ONNX writes it (Caffe2's and PyTorch's exports alike):
// Reshape [N, g, C/g, H, W] → Transpose perm [0, 2, 1, 3, 4] → Reshape [N, C, H, W].

/** A batch entry of a reshape target: copied (0), inferred (-1), or a graph exported for a fixed batch. */
const batchLike = (d: number | undefined) => d !== undefined && d >= -1;

/** The groups a 5-D reshape target splits `c` channels of an `h`×`w` map into, or undefined when it does not. */
function splitGroups(target: readonly number[], [h, w, c]: readonly number[]): number | undefined {
  const [n, g, per, th, tw] = target;
  if (target.length !== 5 || !batchLike(n) || th !== h || tw !== w || !c) return undefined;
  if (g !== undefined && g > 0 && (per === c / g || per === -1) && c % g === 0) return g;
  if (g === -1 && per !== undefined && per > 0 && c % per === 0) return c / per;
  return undefined;
}

/** Whether a 4-D reshape target gives back `[N, c, h, w]`. */
function mergesBack(target: readonly number[], [h, w, c]: readonly number[]): boolean {
  const [n, channels, th, tw] = target;
  return target.length === 4 && batchLike(n) && (channels === c || channels === -1) && th === h && tw === w;
}

/**
 * The channel shuffle starting at `node` (the first Reshape), as a convkit `channelShuffle`, or
 * undefined when `node` does not start that three-node pattern (the caller then refuses the Reshape).
 */
export function channelShuffle(ctx: ImportContext, node: OnnxNode, flow: Flow): Converted | undefined {
  if (flow.shape.length !== 3 || flow.nhwc) return undefined;
  const groups = splitGroups(reshapeTarget(ctx, node), flow.shape);
  if (groups === undefined) return undefined;
  const transpose = ctx.soleUser(node.outputs[0] ?? '');
  if (transpose?.op !== 'Transpose' || transpose.inputs.length !== 1) return undefined;
  if (new Attributes(transpose, ctx.file).ints('perm', undefined, 5)?.join(',') !== '0,2,1,3,4') return undefined;
  const back = ctx.soleUser(transpose.outputs[0] ?? '');
  if (back?.op !== 'Reshape' || back.inputs[0] !== transpose.outputs[0]) return undefined;
  if (!mergesBack(reshapeTarget(ctx, back), flow.shape)) {
    throw new UnsupportedError(
      describeNode(back),
      `reshapes the shuffled [N, ${groups}, ${(flow.shape[2] ?? 0) / groups}, ${flow.shape[0]}, ${flow.shape[1]}] to [${reshapeTarget(ctx, back).join(', ')}]; a channel shuffle merges them back to [N, ${flow.shape[2]}, ${flow.shape[0]}, ${flow.shape[1]}]`,
    );
  }
  for (const n of [node, transpose, back]) ctx.checkExtraOutputs(n);
  // Named after the last node: an exported channelShuffle's own name comes back on import.
  const config = { name: ctx.layerName(back), groups };
  return { layers: [{ type: 'channelShuffle', config }], flow: { ...flow, value: back.outputs[0] ?? '' } };
}
