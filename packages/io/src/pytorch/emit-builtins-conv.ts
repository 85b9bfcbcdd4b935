import { UnsupportedError } from '../errors.js';
import { activationExpr, mapShape, noPadding, padArgs, placed, pyPair, stateKey } from './emit-builtins-common.js';
import { type BuiltInEmitter, emitterOf, type PytorchEmitContext, type PytorchValue } from './registry.js';

/**
 * The type a conv2d with a `connections` table (LeNet-5's C3) is handed to: the mask is a paper layer,
 * registered by its own emitter under this name.
 */
export const CONNECTIONS_CONV = 'conv2d:connections';

/**
 * conv2d → `nn.Conv2d` (groups, dilation, bias). TensorFlow's 'same' padding is asymmetric when the
 * stride is above 1 or the kernel even: such padding is an explicit `F.pad` in forward, and the conv
 * pads nothing. A fused activation wraps the call.
 */
function conv2d(ctx: PytorchEmitContext): PytorchValue {
  const { config, name, type } = ctx.layer;
  if (config.connections !== undefined) return emitterOf(CONNECTIONS_CONV, name).emit(ctx);
  const [, , channels] = mapShape(ctx);
  const filters = config.filters as number;
  const groups = (config.groups as number | undefined) ?? 1;
  const bias = (config.bias as boolean | undefined) ?? true;
  if (channels % groups !== 0 || filters % groups !== 0) {
    throw new UnsupportedError(
      `${name} (${type})`,
      `${channels} input channels and ${filters} filters do not split into ${groups} groups`,
    );
  }
  const window = placed(ctx, {
    kernel: config.kernel as never,
    stride: (config.stride ?? 1) as never,
    padding: (config.padding ?? 0) as never,
    dilation: (config.dilation ?? 1) as never,
  });
  const [[top, bottom], [left, right]] = window.padding;
  const symmetric = top === bottom && left === right;
  const args = [`${channels}`, `${filters}`, `kernel_size=${pyPair(window.kernel)}`];
  if (window.stride.some((s) => s !== 1)) args.push(`stride=${pyPair(window.stride)}`);
  if (symmetric && !noPadding(window.padding)) args.push(`padding=${pyPair([top, left])}`);
  if (window.dilation.some((d) => d !== 1)) args.push(`dilation=${pyPair(window.dilation)}`);
  if (groups !== 1) args.push(`groups=${groups}`);
  if (!bias) args.push('bias=False');
  const module = ctx.module(`nn.Conv2d(${args.join(', ')})`);
  ctx.weight('kernel', stateKey(module, 'weight'), 'oihw');
  if (bias) ctx.weight('bias', stateKey(module, 'bias'));
  const x = symmetric ? ctx.input.expr : `F.pad(${ctx.input.expr}, ${padArgs(window.padding)})`;
  const expr = activationExpr(ctx, config.activation, `${module}(${x})`);
  return { expr: ctx.assign(expr), shape: [...window.output, filters] };
}

/** dense → `nn.Linear`; convkit's `[in, out]` kernel is its weight transposed. */
function dense(ctx: PytorchEmitContext): PytorchValue {
  const { config, name, type } = ctx.layer;
  if (ctx.input.shape.length !== 1) {
    throw new UnsupportedError(
      `${name} (${type})`,
      `dense reads a [features] vector, received [${ctx.input.shape.join(', ')}]: put a flatten before it`,
    );
  }
  const units = config.units as number;
  const bias = (config.bias as boolean | undefined) ?? true;
  const module = ctx.module(`nn.Linear(${ctx.input.shape[0]}, ${units}${bias ? '' : ', bias=False'})`);
  ctx.weight('kernel', stateKey(module, 'weight'), 'linear');
  if (bias) ctx.weight('bias', stateKey(module, 'bias'));
  const expr = activationExpr(ctx, config.activation, `${module}(${ctx.input.expr})`);
  return { expr: ctx.assign(expr), shape: [units] };
}

/**
 * flatten → NCHW back to NHWC, then flatten: the features come out in convkit's (h, w, c) order, so the
 * dense kernels that follow load as they are. This is the one place the layout turns back.
 */
function flatten(ctx: PytorchEmitContext): PytorchValue {
  const shape = ctx.input.shape;
  if (shape.length === 1) return ctx.input;
  const features = shape.reduce((a, b) => a * b, 1);
  const expr = shape.length === 3 ? `${ctx.input.expr}.permute(0, 2, 3, 1).flatten(1)` : `${ctx.input.expr}.flatten(1)`;
  return { expr: ctx.assign(expr), shape: [features] };
}

/** conv2d, dense and flatten. */
export const CONV_EMITTERS: Record<string, BuiltInEmitter> = {
  conv2d: { emit: conv2d },
  dense: { emit: dense },
  flatten: { emit: flatten },
};
