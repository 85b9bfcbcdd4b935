import { type Padding2d, type ResolvedWindow, resolveWindow, type Size2 } from '@convkit/shape';
import { UnsupportedError } from '../errors.js';
import type { PytorchEmitContext } from './registry.js';

/** `(a, b)` or `a` when both are equal: how the generated code writes a pair. */
export function pyPair([a, b]: readonly [number, number]): string {
  return a === b ? String(a) : `(${a}, ${b})`;
}

/** A JS value as a Python literal (numbers, booleans, strings, arrays). */
export function pyLiteral(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    return Number.isFinite(value) ? String(value) : value > 0 ? 'math.inf' : '-math.inf';
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(', ')}]`;
  if (value === undefined || value === null) return 'None';
  throw new TypeError(`no Python literal for ${JSON.stringify(value)}`);
}

/** Padding per side as convkit writes it: `[[top, bottom], [left, right]]`. */
export type Sides = readonly [readonly [number, number], readonly [number, number]];

/** convkit's `[[top, bottom], [left, right]]` as `F.pad`'s `(left, right, top, bottom)`. */
export function padArgs([[top, bottom], [left, right]]: Sides): string {
  return `(${left}, ${right}, ${top}, ${bottom})`;
}

/** Whether every side of a `[[top, bottom], [left, right]]` padding is 0. */
export function noPadding(padding: Sides): boolean {
  return padding.every(([a, b]) => a === 0 && b === 0);
}

/** The Python expression of convkit's activation `fn` applied to `x` (NCHW, so softmax runs over dim 1). */
export function activationExpr(ctx: PytorchEmitContext, fn: unknown, x: string, alpha?: unknown): string {
  const layer = ctx.layer;
  switch (fn ?? 'linear') {
    case 'linear':
      return x;
    case 'leakyRelu':
      return `F.leaky_relu(${x}, ${pyLiteral(typeof alpha === 'number' ? alpha : 0.01)})`;
    case 'softmax':
      return `F.softmax(${x}, dim=1)`;
    case 'geluTanh':
      return `F.gelu(${x}, approximate="tanh")`;
    case 'gelu':
      // PyTorch 1.13's F.gelu backward is wrong (2.0 off, CPU) when the incoming gradient has
      // channels-last strides, as after flatten's permute; the runtime writes the formula out.
      return `${ctx.helper('gelu')}(${x})`;
    default: {
      const call = ACTIVATIONS[fn as string];
      if (!call) {
        throw new UnsupportedError(
          `${layer.name} (${layer.type})`,
          `activation ${JSON.stringify(fn)} has no PyTorch form; convkit's are linear, leakyRelu, softmax, gelu, geluTanh, ${Object.keys(ACTIVATIONS).join(', ')}`,
        );
      }
      return `${call}(${x})`;
    }
  }
}

/**
 * convkit's activations whose PyTorch function takes only the input. hardSigmoid is relu6(x + 3)/6 in
 * both libraries, and hardSwish x·hardSigmoid(x); swish and silu are one function.
 */
const ACTIVATIONS: Record<string, string> = {
  relu: 'F.relu',
  relu6: 'F.relu6',
  elu: 'F.elu',
  selu: 'F.selu',
  tanh: 'torch.tanh',
  sigmoid: 'torch.sigmoid',
  softplus: 'F.softplus',
  swish: 'F.silu',
  silu: 'F.silu',
  mish: 'F.mish',
  hardSwish: 'F.hardswish',
  hardSigmoid: 'F.hardsigmoid',
};

/** The input as `[h, w, c]`, or an error naming the layer when it is a vector. */
export function mapShape(ctx: PytorchEmitContext): [number, number, number] {
  const shape = ctx.input.shape;
  if (shape.length !== 3) {
    throw new UnsupportedError(
      `${ctx.layer.name} (${ctx.layer.type})`,
      `needs a [height, width, channels] map, received [${shape.join(', ')}]`,
    );
  }
  return shape as [number, number, number];
}

/** A window config (conv or pool) placed on the layer's input, named after the layer as convkit's errors are. */
export function placed(
  ctx: PytorchEmitContext,
  window: { kernel: Size2; stride?: Size2; padding?: Padding2d; dilation?: Size2; ceilMode?: boolean },
): ResolvedWindow {
  const [h, w] = mapShape(ctx);
  return resolveWindow(ctx.layer.name, [h, w], window);
}

/** The state_dict key of a module expression `self.<attr>` plus a tensor name. */
export function stateKey(module: string, tensor: string): string {
  return `${module.replace(/^self\./, '')}.${tensor}`;
}
