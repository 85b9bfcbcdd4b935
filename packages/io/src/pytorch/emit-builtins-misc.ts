import { UnsupportedError } from '../errors.js';
import type { LayerJSON } from '../onnx/import-context.js';
import { activationExpr, pyLiteral, stateKey } from './emit-builtins-common.js';
import type { BuiltInEmitter, PytorchEmitContext, PytorchValue } from './registry.js';

/** activation → the matching `F.*` call (softmax over channels, dim 1 in NCHW). */
function activation(ctx: PytorchEmitContext): PytorchValue {
  const { fn, alpha } = ctx.layer.config;
  return { expr: ctx.assign(activationExpr(ctx, fn, ctx.input.expr, alpha)), shape: ctx.input.shape };
}

/**
 * batchNorm → the runtime's `BatchNorm` (convkit's momentum convention and biased running variance);
 * works on maps (`[N, C, H, W]`) and vectors (`[N, F]`), with or without scale and center.
 */
function batchNorm(ctx: PytorchEmitContext): PytorchValue {
  const {
    momentum = 0.9,
    epsilon = 1e-5,
    scale = true,
    center = true,
  } = ctx.layer.config as {
    momentum?: number;
    epsilon?: number;
    scale?: boolean;
    center?: boolean;
  };
  const channels = ctx.input.shape.at(-1) as number;
  const args = [`${channels}`, `eps=${pyLiteral(epsilon)}`, `momentum=${pyLiteral(momentum)}`];
  if (!scale) args.push('scale=False');
  if (!center) args.push('center=False');
  const module = ctx.module(`${ctx.helper('BatchNorm')}(${args.join(', ')})`);
  if (scale) ctx.weight('gamma', stateKey(module, 'weight'));
  if (center) ctx.weight('beta', stateKey(module, 'bias'));
  ctx.weight('movingMean', stateKey(module, 'running_mean'));
  ctx.weight('movingVariance', stateKey(module, 'running_var'));
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: ctx.input.shape };
}

/** dropout → `nn.Dropout` (inverted dropout in both libraries; its draws differ, so parity tests use rate 0). */
function dropout(ctx: PytorchEmitContext): PytorchValue {
  const module = ctx.module(`nn.Dropout(p=${pyLiteral(ctx.layer.config.rate ?? 0)})`);
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: ctx.input.shape };
}

/** sequential → its children's lines one after another, each reading the previous one's output. */
function sequential(ctx: PytorchEmitContext): PytorchValue {
  const layers = (ctx.layer.config.layers ?? []) as LayerJSON[];
  return layers.reduce<PytorchValue>((value, child) => ctx.child(child, value), ctx.input);
}

/** concat → each branch into its own variable, then `torch.cat` over channels (dim 1 in NCHW and for vectors). */
function concat(ctx: PytorchEmitContext): PytorchValue {
  const branches = (ctx.layer.config.branches ?? []) as LayerJSON[];
  const outs = branches.map((branch, k) => ctx.child(branch, ctx.input, ctx.fresh(`${ctx.layer.attr}_${k + 1}`)));
  const first = outs[0];
  const mismatch = outs.find(
    (o) => o.shape.length !== first?.shape.length || !o.shape.slice(0, -1).every((n, i) => n === first?.shape[i]),
  );
  if (!first || mismatch) {
    throw new UnsupportedError(
      `${ctx.layer.name} (${ctx.layer.type})`,
      first
        ? `branches give ${outs.map((o) => `[${o.shape.join(', ')}]`).join(', ')}, which differ beyond the channels`
        : 'has no branches',
    );
  }
  const channels = outs.reduce((sum, o) => sum + (o.shape.at(-1) as number), 0);
  const expr = `torch.cat([${outs.map((o) => o.expr).join(', ')}], dim=1)`;
  return { expr: ctx.assign(expr), shape: [...first.shape.slice(0, -1), channels] };
}

const list = (value: unknown): LayerJSON[] => (Array.isArray(value) ? (value as LayerJSON[]) : []);

/** activation, batchNorm, dropout, sequential, concat. */
export const MISC_EMITTERS: Record<string, BuiltInEmitter> = {
  activation: { emit: activation },
  batchNorm: { emit: batchNorm },
  dropout: { emit: dropout },
  sequential: { emit: sequential, options: { children: (c) => list(c.layers) } },
  concat: { emit: concat, options: { children: (c) => list(c.branches) } },
};
