import { UnsupportedError } from '../errors.js';
import { Attributes } from './attributes.js';
import type { OnnxNode } from './decode.js';
import type { Flow, ImportContext, LayerJSON } from './import-context.js';
import { convertNode } from './import-ops.js';
import { describeNode } from './statics.js';

// The walk from the input to the output: chains of nodes become layers (import-ops.js
// converts each), forks that meet in a Concat become a convkit Concat of sequentials.

/** Branches nest deeper, or fork wider, than this only in a hostile file. */
const MAX_DEPTH = 64;
const MAX_BRANCHES = 1024;

interface Walked {
  layers: LayerJSON[];
  flow: Flow;
  /** In a branch: the Concat it ended at. */
  join?: OnnxNode;
}

/** Converts the chain of nodes from `flow` until the output, a dead end, or (in a branch) a Concat. */
export function walk(ctx: ImportContext, start: Flow, inBranch: boolean, depth: number): Walked {
  if (depth > MAX_DEPTH)
    throw new UnsupportedError(`value ${JSON.stringify(start.value)}`, `branches nest more than ${MAX_DEPTH} deep`);
  const layers: LayerJSON[] = [];
  let flow = start;
  for (;;) {
    const users = ctx.users(flow.value);
    if (users.length === 0) return { layers, flow };
    const [only] = users;
    if (users.length === 1 && only && !ctx.isOutput(flow.value)) {
      if (only.op === 'Concat' && inBranch) return { layers, flow, join: only };
      if (only.op !== 'Concat') {
        const step = convertNode(ctx, only, flow);
        layers.push(...step.layers);
        flow = step.flow;
        continue;
      }
    }
    if (ctx.isOutput(flow.value)) {
      throw new UnsupportedError(
        `value ${JSON.stringify(flow.value)}`,
        'is the graph output and also read by other nodes',
      );
    }
    const joined = fork(ctx, flow, users, depth);
    layers.push(joined.layer);
    flow = joined.flow;
  }
}

/** Branches from one value that meet in one Concat: a convkit Concat of sequentials. */
function fork(
  ctx: ImportContext,
  flow: Flow,
  users: readonly OnnxNode[],
  depth: number,
): { layer: LayerJSON; flow: Flow } {
  if (users.length > MAX_BRANCHES) {
    throw new UnsupportedError(
      `value ${JSON.stringify(flow.value)}`,
      `is read by ${users.length} nodes; convkit joins at most ${MAX_BRANCHES} branches`,
    );
  }
  const branches: Walked[] = [];
  let join: OnnxNode | undefined;
  const meet = (node: OnnxNode) => {
    if (join && join !== node) {
      throw new UnsupportedError(
        `value ${JSON.stringify(flow.value)}`,
        `forks into branches that end in different nodes (${describeNode(join)}, ${describeNode(node)}); convkit joins branches in one Concat`,
      );
    }
    join = node;
  };
  for (const user of users) {
    if (user.op === 'Concat') {
      // The value itself is one of the joined ones (DenseNet): an empty branch.
      for (const i of user.inputs) if (i === flow.value) branches.push({ layers: [], flow });
      meet(user);
      continue;
    }
    const first = convertNode(ctx, user, flow);
    const rest = walk(ctx, first.flow, true, depth + 1);
    if (!rest.join) {
      throw new UnsupportedError(
        describeNode(user),
        `starts a branch from ${JSON.stringify(flow.value)} that ends at ${JSON.stringify(rest.flow.value)} without a Concat`,
      );
    }
    meet(rest.join);
    branches.push({ layers: [...first.layers, ...rest.layers], flow: rest.flow });
  }
  if (!join) throw new UnsupportedError(`value ${JSON.stringify(flow.value)}`, 'forks without joining');
  return concat(ctx, join, branches);
}

function concat(ctx: ImportContext, join: OnnxNode, branches: Walked[]): { layer: LayerJSON; flow: Flow } {
  const unsupported = (problem: string) => new UnsupportedError(describeNode(join), problem);
  ctx.checkExtraOutputs(join);
  const inputs = join.inputs;
  const left = [...branches];
  const ordered = inputs.map((value) => {
    const k = left.findIndex((b) => b.flow.value === value);
    if (k < 0)
      throw unsupported(`joins ${JSON.stringify(value)}, which does not come from the branches that fork before it`);
    return left.splice(k, 1)[0] as Walked;
  });
  if (left.length > 0 || ordered.length < 1)
    throw unsupported(`joins ${inputs.length} values, ${branches.length} branches lead to it`);
  const shapes = ordered.map((b) => b.flow.shape);
  const [first = []] = shapes;
  const rank = first.length + 1;
  const axis = new Attributes(join, ctx.file).int('axis', 1);
  const channelAxis = (axis < 0 ? axis + rank : axis) === 1;
  const alike = shapes.every((s) => s.length === first.length && s.slice(0, -1).join() === first.slice(0, -1).join());
  if (!channelAxis || !alike || ordered.some((b) => b.flow.order || b.flow.nhwc)) {
    throw unsupported(
      `axis ${axis} on [${shapes.map((s) => `[N, ${s.join(', ')}]`).join(', ')}]: convkit concatenates channels of maps of one size`,
    );
  }
  const name = ctx.layerName(join);
  const layer: LayerJSON = {
    type: 'concat',
    config: {
      name,
      branches: ordered.map((b, k) => ({
        type: 'sequential',
        config: { name: ctx.containerName(`${name}/branch${k + 1}`), layers: b.layers },
      })),
    },
  };
  const channels = shapes.reduce((sum, s) => sum + (s.at(-1) ?? 0), 0);
  return { layer, flow: { value: join.outputs[0] ?? '', shape: [...first.slice(0, -1), channels] } };
}
