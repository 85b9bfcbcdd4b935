import { UnsupportedError } from '../errors.js';
import type { OnnxNode } from './decode.js';
import type { Flow, ImportContext, LayerJSON } from './import-context.js';
import { isJoin, joinLayer } from './import-join.js';
import { convertNode } from './import-ops.js';
import { describeNode } from './statics.js';

// The walk from the input to the output: chains of nodes become layers (import-ops.js
// converts each), forks that meet in one join (Concat, or an element-wise Sum/Add/Mul of
// branches) become a convkit concat, add or multiply of sequentials (import-join.js).

/** Branches nest deeper, or fork wider, than this only in a hostile file. */
const MAX_DEPTH = 64;
const MAX_BRANCHES = 1024;

/** A chain of layers and where it leads. */
export interface Walked {
  layers: LayerJSON[];
  flow: Flow;
  /** In a branch: the join it ended at. */
  join?: OnnxNode;
}

/** Converts the chain of nodes from `flow` until the output, a dead end, or (in a branch) a join. */
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
      const join = isJoin(ctx, only);
      if (join && inBranch) return { layers, flow, join: only };
      if (!join) {
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

/** Branches from one value that meet in one join: a convkit concat, add or multiply of sequentials. */
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
        `forks into branches that end in different nodes (${describeNode(join)}, ${describeNode(node)}); convkit joins branches in one Concat, Sum, Add or Mul`,
      );
    }
    join = node;
  };
  for (const user of users) {
    if (isJoin(ctx, user)) {
      // The value itself is one of the joined ones (DenseNet's Concat, ResNet's identity shortcut): an empty branch.
      for (const i of user.inputs) if (i === flow.value) branches.push({ layers: [], flow });
      meet(user);
      continue;
    }
    const first = convertNode(ctx, user, flow);
    const rest = walk(ctx, first.flow, true, depth + 1);
    if (!rest.join) {
      throw new UnsupportedError(
        describeNode(user),
        `starts a branch from ${JSON.stringify(flow.value)} that ends at ${JSON.stringify(rest.flow.value)} without a Concat, Sum, Add or Mul joining it`,
      );
    }
    meet(rest.join);
    branches.push({ layers: [...first.layers, ...rest.layers], flow: rest.flow });
  }
  if (!join) throw new UnsupportedError(`value ${JSON.stringify(flow.value)}`, 'forks without joining');
  return joinLayer(ctx, join, branches);
}
