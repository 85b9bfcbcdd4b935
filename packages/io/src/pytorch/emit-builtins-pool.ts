import { poolWindow } from '@convkit/shape';
import { UnsupportedError } from '../errors.js';
import { mapShape, noPadding, padArgs, placed, pyLiteral, pyPair, type Sides } from './emit-builtins-common.js';
import type { BuiltInEmitter, PytorchEmitContext, PytorchValue } from './registry.js';

/** A pool's window on the layer's input, with ceil mode's end padding (`extended`) resolved as convkit does. */
function poolPlace(ctx: PytorchEmitContext) {
  const {
    kernel,
    stride,
    padding = 0,
    ceilMode = false,
  } = ctx.layer.config as never as {
    kernel: never;
    stride?: never;
    padding?: never;
    ceilMode?: boolean;
  };
  return placed(ctx, poolWindow({ kernel, stride, padding, ceilMode }));
}

/**
 * maxPool2d → `nn.MaxPool2d` on an input padded with −∞ by `F.pad`: padding never wins a window, as in
 * convkit, and ceil mode's last partial window is the same end padding (PyTorch's own padding argument
 * is limited to half the kernel and is symmetric).
 */
function maxPool2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const window = poolPlace(ctx);
  const module = ctx.module(`nn.MaxPool2d(kernel_size=${pyPair(window.kernel)}, stride=${pyPair(window.stride)})`);
  const x = noPadding(window.extended)
    ? ctx.input.expr
    : `F.pad(${ctx.input.expr}, ${padArgs(window.extended)}, value=-math.inf)`;
  return { expr: ctx.assign(`${module}(${x})`), shape: [...window.output, channels] };
}

/**
 * avgPool2d → `nn.AvgPool2d` when nothing is padded, else the runtime's `AvgPool2d`, whose divisor
 * counts what convkit counts (padding only with countIncludePad, never ceil mode's end padding).
 */
function avgPool2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const window = poolPlace(ctx);
  const k = pyPair(window.kernel);
  const s = pyPair(window.stride);
  let module: string;
  if (noPadding(window.extended)) {
    module = ctx.module(`nn.AvgPool2d(kernel_size=${k}, stride=${s})`);
  } else {
    const count = pyLiteral(Boolean(ctx.layer.config.countIncludePad));
    const args = `${pyLiteral(window.kernel)}, ${pyLiteral(window.stride)}, ${padArgs(window.padding)}, ${padArgs(window.extended)}`;
    module = ctx.module(`${ctx.helper('AvgPool2d')}(${args}, count_include_pad=${count})`);
  }
  return { expr: ctx.assign(`${module}(${ctx.input.expr})`), shape: [...window.output, channels] };
}

/** globalPool2d → mean or max over H and W: `[N, C, H, W]` → `[N, C]`. */
function globalPool2d(ctx: PytorchEmitContext): PytorchValue {
  const [, , channels] = mapShape(ctx);
  const mode = ctx.layer.config.mode ?? 'avg';
  const expr = mode === 'max' ? `${ctx.input.expr}.amax(dim=(2, 3))` : `${ctx.input.expr}.mean(dim=(2, 3))`;
  return { expr: ctx.assign(expr), shape: [channels] };
}

/** zeroPadding2d → `F.pad` with convkit's `[[top, bottom], [left, right]]` sides. */
function zeroPadding2d(ctx: PytorchEmitContext): PytorchValue {
  const [h, w, c] = mapShape(ctx);
  const sides = paddingSides(ctx.layer.config.padding);
  if (!sides) {
    throw new UnsupportedError(
      `${ctx.layer.name} (${ctx.layer.type})`,
      `padding ${JSON.stringify(ctx.layer.config.padding)} is not a count, [height, width] or [[top, bottom], [left, right]]`,
    );
  }
  const [[top, bottom], [left, right]] = sides;
  return {
    expr: ctx.assign(`F.pad(${ctx.input.expr}, ${padArgs(sides)})`),
    shape: [h + top + bottom, w + left + right, c],
  };
}

/** zeroPadding2d's padding (a count, or per axis a count or `[before, after]`) as sides. */
function paddingSides(padding: unknown): Sides | undefined {
  const axis = (v: unknown): [number, number] | undefined => {
    if (typeof v === 'number') return [v, v];
    if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number'))
      return [v[0] as number, v[1] as number];
    return undefined;
  };
  if (typeof padding === 'number')
    return [
      [padding, padding],
      [padding, padding],
    ];
  if (!Array.isArray(padding) || padding.length !== 2) return undefined;
  const [rows, cols] = [axis(padding[0]), axis(padding[1])];
  return rows && cols ? [rows, cols] : undefined;
}

/** maxPool2d, avgPool2d, globalPool2d, zeroPadding2d. */
export const POOL_EMITTERS: Record<string, BuiltInEmitter> = {
  maxPool2d: { emit: maxPool2d },
  avgPool2d: { emit: avgPool2d },
  globalPool2d: { emit: globalPool2d },
  zeroPadding2d: { emit: zeroPadding2d },
};
