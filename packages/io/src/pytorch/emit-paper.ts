import { convParams, poolWindow } from '@convkit/shape';
import { UnsupportedError } from '../errors.js';
import type { LayerJSON } from '../onnx/import-context.js';
import { activationExpr, mapShape, noPadding, padArgs, placed, pyLiteral, stateKey } from './emit-builtins-common.js';
import { CONNECTIONS_CONV } from './emit-builtins-conv.js';
import type { BuiltInEmitter, PytorchEmitContext, PytorchValue } from './registry.js';

// The paper layers (LeNet-5's C3 table, S2/S4 and RBF output, L2 and stochastic pooling, maxout, LRN,
// GoogLeNet's auxiliary heads) as model.py lines over the runtime's modules (emit-paper-runtime.ts).

type Config = Readonly<Record<string, unknown>>;

function fail(ctx: PytorchEmitContext, why: string): UnsupportedError {
  return new UnsupportedError(`${ctx.layer.name} (${ctx.layer.type})`, why);
}

/** The input as a `[features]` vector, or an error naming the layer. */
function vectorShape(ctx: PytorchEmitContext): number {
  const shape = ctx.input.shape;
  if (shape.length !== 1)
    throw fail(ctx, `reads a [features] vector, received [${shape.join(', ')}]: put a flatten before it`);
  return shape[0] as number;
}

/**
 * conv2d with `connections` (LeNet-5's C3; conv2d's emitter hands it here) → the runtime's
 * `ConnectedConv2d`: the OIHW weight times a fixed 0/1 mask. The table is checked as convkit's shape
 * math checks it (one row per filter, distinct channels in range, groups 1).
 */
function connectedConv(ctx: PytorchEmitContext): PytorchValue {
  const { config, name } = ctx.layer;
  const [, , channels] = mapShape(ctx);
  const filters = config.filters as number;
  const connections = config.connections as number[][];
  const bias = (config.bias as boolean | undefined) ?? true;
  const groups = (config.groups as number | undefined) ?? 1;
  convParams({ inChannels: channels, filters, kernel: config.kernel as never, groups, bias, connections, op: name });
  const window = placed(ctx, {
    kernel: config.kernel as never,
    stride: (config.stride ?? 1) as never,
    padding: (config.padding ?? 0) as never,
    dilation: (config.dilation ?? 1) as never,
  });
  const args = [`${channels}`, `${filters}`, pyLiteral(window.kernel), pyLiteral(connections)];
  args.push(`stride=${pyLiteral(window.stride)}`);
  if (!noPadding(window.padding)) args.push(`pad=${padArgs(window.padding)}`);
  if (window.dilation.some((d) => d !== 1)) args.push(`dilation=${pyLiteral(window.dilation)}`);
  if (!bias) args.push('bias=False');
  const module = ctx.module(`${ctx.helper('ConnectedConv2d')}(${args.join(', ')})`);
  ctx.weight('kernel', stateKey(module, 'weight'), 'oihw');
  if (bias) ctx.weight('bias', stateKey(module, 'bias'));
  const expr = activationExpr(ctx, config.activation, `${module}(${ctx.input.expr})`);
  return { expr: ctx.assign(expr), shape: [...window.output, filters] };
}

/** euclideanRbf (zoo's LeNet-5 output) → the runtime's `EuclideanRbf`, its centres a buffer in convkit's `[in, units]` layout. */
function euclideanRbf(ctx: PytorchEmitContext): PytorchValue {
  const features = vectorShape(ctx);
  const units = ctx.layer.config.units as number;
  const module = ctx.module(`${ctx.helper('EuclideanRbf')}(${features}, ${units})`);
  ctx.weight('centres', stateKey(module, 'centres'));
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [units] };
}

/** subsample2d (LeNet-5's S2/S4) → the runtime's `Subsample2d`, then the fused activation. */
function subsample2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const { kernel = 2, stride, activation } = ctx.layer.config as Config & { kernel?: never; stride?: never };
  const window = placed(ctx, poolWindow({ kernel, stride, padding: 0 }));
  const args = `${channels}, ${pyLiteral(window.kernel)}, ${pyLiteral(window.stride)}`;
  const module = ctx.module(`${ctx.helper('Subsample2d')}(${args})`);
  ctx.weight('coefficient', stateKey(module, 'coefficient'));
  ctx.weight('bias', stateKey(module, 'bias'));
  const expr = activationExpr(ctx, activation, `${module}(${ctx.input.expr})`);
  return { expr: ctx.assign(expr), shape: [...window.output, channels] };
}

/** lpPool2d → the runtime's `LpPool2d`: `nn.LPPool2d` takes no abs and no padding. */
function lpPool2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const {
    kernel,
    stride,
    padding = 0,
    p = 2,
  } = ctx.layer.config as Config & { kernel: never; stride?: never; padding?: never; p?: number };
  const window = placed(ctx, poolWindow({ kernel, stride, padding }));
  const args = `${pyLiteral(window.kernel)}, ${pyLiteral(window.stride)}, ${padArgs(window.padding)}, p=${pyLiteral(p)}`;
  const module = ctx.module(`${ctx.helper('LpPool2d')}(${args})`);
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [...window.output, channels] };
}

/** stochasticPool2d → the runtime's `StochasticPool2d` (a draw per window while training, the weighted mean otherwise). */
function stochasticPool2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const { kernel, stride } = ctx.layer.config as Config & { kernel: never; stride?: never };
  const window = placed(ctx, poolWindow({ kernel, stride, padding: 0 }));
  const module = ctx.module(
    `${ctx.helper('StochasticPool2d')}(${pyLiteral(window.kernel)}, ${pyLiteral(window.stride)})`,
  );
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [...window.output, channels] };
}

/** channelPool → the runtime's `ChannelPool` over dim 1 (channels of a map, features of a vector). */
function channelPool(ctx: PytorchEmitContext): PytorchValue {
  const shape = ctx.input.shape;
  const pieces = ctx.layer.config.pieces as number;
  const channels = shape.at(-1) as number;
  if (!Number.isInteger(pieces) || pieces < 1 || channels % pieces !== 0) {
    throw fail(ctx, `${channels} channels do not split into groups of pieces = ${JSON.stringify(pieces)}`);
  }
  const module = ctx.module(`${ctx.helper('ChannelPool')}(${pieces})`);
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [...shape.slice(0, -1), channels / pieces] };
}

/** maxout → the runtime's `Maxout`: an `nn.Linear` (convkit's `[in, out]` kernel transposed), then the max of each unit's pieces. */
function maxout(ctx: PytorchEmitContext): PytorchValue {
  const features = vectorShape(ctx);
  const { units, pieces, bias = true } = ctx.layer.config as Config & { units: number; pieces: number; bias?: boolean };
  const module = ctx.module(`${ctx.helper('Maxout')}(${features}, ${units}, ${pieces}${bias ? '' : ', bias=False'})`);
  ctx.weight('kernel', stateKey(module, 'linear.weight'), 'linear');
  if (bias) ctx.weight('bias', stateKey(module, 'linear.bias'));
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [units] };
}

/**
 * lrn → `nn.LocalResponseNorm(size, alpha, beta, k)`: both compute `a / (k + α/n·Σa²)^β` over the n
 * channels centred on each, the window clipped at the edge channels but still divided by n.
 */
function lrn(ctx: PytorchEmitContext): PytorchValue {
  mapShape(ctx);
  const { size = 5, alpha = 1e-4, beta = 0.75, k = 2 } = ctx.layer.config as Config & Record<string, number>;
  const module = ctx.module(
    `nn.LocalResponseNorm(${size}, alpha=${pyLiteral(alpha)}, beta=${pyLiteral(beta)}, k=${pyLiteral(k)})`,
  );
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: ctx.input.shape };
}

/**
 * auxiliaryHead → passes its input on; while training, its head's output joins the auxiliary outputs
 * `forward` returns beside the logits (as convkit's `applyWithAuxiliary`); at inference the head does not run.
 */
function auxiliaryHead(ctx: PytorchEmitContext): PytorchValue {
  const head = ctx.layer.config.head as LayerJSON | undefined;
  if (!head || typeof head.type !== 'string')
    throw fail(ctx, `"head" must be a layer { type, config }, received ${JSON.stringify(head)}`);
  ctx.block('if self.training:', () => ctx.aux(ctx.child(head, ctx.input, ctx.fresh(`${ctx.layer.attr}_out`))));
  return ctx.input;
}

/** The paper layers' emitters, by type: the registry loads them with the built-ins. */
export const PAPER_EMITTERS: Record<string, BuiltInEmitter> = {
  [CONNECTIONS_CONV]: { emit: connectedConv },
  euclideanRbf: { emit: euclideanRbf },
  subsample2d: { emit: subsample2d },
  lpPool2d: { emit: lpPool2d },
  stochasticPool2d: { emit: stochasticPool2d },
  channelPool: { emit: channelPool },
  maxout: { emit: maxout },
  lrn: { emit: lrn },
  auxiliaryHead: { emit: auxiliaryHead, options: { children: (c) => (c.head ? [c.head as LayerJSON] : []) } },
};
