import { UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import type { Flow, ImportContext, LayerJSON } from './import-context.js';
import type { Walked } from './import-walk.js';
import { describeNode } from './statics.js';

// Where branches meet: a Concat of channels, or an element-wise Sum/Add/Mul of the branches
// (ResNet's residual add, ShuffleNet's stride-1 unit, a squeeze-excitation gate).

/** The element-wise ONNX ops that join branches, and the convkit layer each becomes. */
const MERGES: Readonly<Record<string, 'add' | 'multiply'>> = { Sum: 'add', Add: 'add', Mul: 'multiply' };

/**
 * Whether a node joins branches: any Concat, or a Sum/Add/Mul whose inputs all carry data. An Add or Mul
 * with a weight as one input is a bias or a scale, which the layer before it folds in (or which is refused).
 */
export function isJoin(ctx: ImportContext, node: OnnxNode): boolean {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return false;
  if (node.op === 'Concat') return true;
  if (!Object.hasOwn(MERGES, node.op) || node.inputs.length < 2) return false;
  // ctx.users lists only the readers of data values, so this holds when every input depends on the graph's input.
  return node.inputs.every((i) => i !== '' && ctx.users(i).includes(node));
}

/** The branches in the order the join reads them, or an error when they do not match its inputs one to one. */
function ordered(join: OnnxNode, branches: readonly Walked[]): Walked[] {
  const unsupported = (problem: string) => new UnsupportedError(describeNode(join), problem);
  const left = [...branches];
  const inOrder = join.inputs.map((value) => {
    const k = left.findIndex((b) => b.flow.value === value);
    if (k < 0)
      throw unsupported(`joins ${JSON.stringify(value)}, which does not come from the branches that fork before it`);
    return left.splice(k, 1)[0] as Walked;
  });
  if (left.length > 0 || inOrder.length < 1)
    throw unsupported(`joins ${join.inputs.length} values, ${branches.length} branches lead to it`);
  return inOrder;
}

/** The convkit layer for branches meeting at `join` (a Concat, Sum, Add or Mul), and the flow after it. */
export function joinLayer(
  ctx: ImportContext,
  join: OnnxNode,
  branches: readonly Walked[],
): { layer: LayerJSON; flow: Flow } {
  ctx.checkExtraOutputs(join);
  const inOrder = ordered(join, branches);
  const merge = MERGES[join.op];
  const shape = merge ? mergedShape(join, inOrder, merge) : concatShape(ctx, join, inOrder);
  const name = ctx.layerName(join);
  const layer: LayerJSON = {
    type: merge ?? 'concat',
    config: {
      name,
      branches: inOrder.map((b, k) => ({
        type: 'sequential',
        config: { name: ctx.containerName(`${name}/branch${k + 1}`), layers: b.layers },
      })),
    },
  };
  const [first] = inOrder;
  const flow: Flow = { value: join.outputs[0] ?? '', shape };
  // Element-wise merges of alike flows keep their layout marks (a flattened map's order, an NHWC transpose).
  if (merge && first?.flow.order) flow.order = first.flow.order;
  if (merge && first?.flow.nhwc) flow.nhwc = true;
  return { layer, flow };
}

const show = (shapes: readonly (readonly number[])[]) => shapes.map((s) => `[N, ${s.join(', ')}]`).join(', ');

function concatShape(ctx: ImportContext, join: OnnxNode, inOrder: readonly Walked[]): number[] {
  const shapes = inOrder.map((b) => b.flow.shape);
  const [first = []] = shapes;
  const rank = first.length + 1;
  const axis = new Attributes(join, ctx.file).int('axis', 1);
  const channelAxis = (axis < 0 ? axis + rank : axis) === 1;
  const alike = shapes.every((s) => s.length === first.length && s.slice(0, -1).join() === first.slice(0, -1).join());
  if (!channelAxis || !alike || inOrder.some((b) => b.flow.order || b.flow.nhwc)) {
    throw new UnsupportedError(
      describeNode(join),
      `axis ${axis} on [${show(shapes)}]: convkit concatenates channels of maps of one size`,
    );
  }
  return [...first.slice(0, -1), shapes.reduce((sum, s) => sum + (s.at(-1) ?? 0), 0)];
}

/**
 * The shape of an element-wise merge: every branch alike, or (for Mul) a `[1, 1, c]` gate broadcast
 * over `[h, w, c]` maps, as ONNX broadcasts `[N, C, 1, 1]` against `[N, C, H, W]`.
 */
function mergedShape(join: OnnxNode, inOrder: readonly Walked[], merge: 'add' | 'multiply') {
  const flows = inOrder.map((b) => b.flow);
  const full = flows.reduce((a, f) =>
    f.shape.reduce((x, y) => x * y, 1) > a.shape.reduce((x, y) => x * y, 1) ? f : a,
  );
  const c = full.shape.at(-1);
  const layout = (f: Flow) => `${f.order?.join() ?? ''}|${f.nhwc ?? false}`;
  const fits = (f: Flow) =>
    layout(f) === layout(full) &&
    (f.shape.join() === full.shape.join() ||
      (merge === 'multiply' && full.shape.length === 3 && !full.nhwc && f.shape.join() === `1,1,${c}`));
  if (!flows.every(fits)) {
    throw new UnsupportedError(
      describeNode(join),
      `${join.op} of [${show(flows.map((f) => f.shape))}]${flows.some((f) => f.order || f.nhwc) ? ' (flattened or transposed differently)' : ''}: convkit's ${merge} takes branches of one shape${merge === 'multiply' ? ', or a [N, C, 1, 1] gate over [N, C, H, W] maps' : ''}`,
    );
  }
  return [...full.shape];
}
