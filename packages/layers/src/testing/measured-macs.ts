import { elements, type Shape, trace } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { applyWithAuxiliary } from '../auxiliary.js';
import type { Layer } from '../layer.js';
import { fail } from './checks.js';

// What a forward pass multiplies, counted from the kernels tfjs runs (tf.profile), with @convkit/shape's
// convention: one multiply-add is 1 MAC, bias additions, activations, pooling, reductions and divisions
// are not counted. The profile records kernel names and shapes but not attributes (transposes, strides),
// so every count below is derived from shapes alone.

/** One counted kernel of a profiled forward pass. */
export interface KernelMacs {
  kernel: string;
  inputShapes: number[][];
  outputShape: number[];
  macs: number;
}

/** What {@link measureMacs} found: the total and the kernels that multiplied. */
export interface MeasuredMacs {
  macs: number;
  kernels: KernelMacs[];
}

/** The input and output shapes a profile records for one kernel (absent inputs are `null`). */
type Shapes = { inputs: readonly (readonly number[] | null)[]; output: readonly number[] };

/** A convolution: each output element is a dot product over the filter's window and input channels. */
const conv = ({ inputs: [, filter], output }: Shapes) => {
  const [kh = 1, kw = 1, cin = 1] = filter ?? [];
  return elements(output) * kh * kw * cin;
};

/** A depthwise convolution: each output element reads one input channel through a kh·kw window. */
const depthwise = ({ inputs: [, filter], output }: Shapes) => {
  const [kh = 1, kw = 1] = filter ?? [];
  return elements(output) * kh * kw;
};

/**
 * A (batched) matrix product `[…, m, k] × […, k, n]`: each output element is a dot product of length k.
 * `a` holds m·k elements per matrix whether or not it is transposed, so k = a's last two dims / m.
 */
const matMul = ({ inputs: [a], output }: Shapes) => {
  const m = output[output.length - 2] ?? 1;
  const [r = 1, c = 1] = (a ?? []).slice(-2);
  return (elements(output) * r * c) / m;
};

/** A transposed convolution (`conv2dTranspose`): each input element is spread over kh·kw·outChannels outputs. */
const transposed = ({ inputs: [dy, filter] }: Shapes) => {
  const [kh = 1, kw = 1, cout = 1] = filter ?? [];
  return elements(dy ?? []) * kh * kw * cout;
};

/**
 * The kernels that multiply, by tfjs kernel name. An element-wise `Mul` counts one per output element,
 * whatever it multiplies by (a gate, a per-channel scale, a mask, a constant): a formula that leaves a
 * constant factor out is a bound, not exact. `Square`, `Pow`, `Div` and the fused activations are not
 * counted, as `@convkit/shape` counts no activation or normalization.
 */
const COUNTED: Readonly<Record<string, (shapes: Shapes) => number>> = {
  [tf.Conv2D]: conv,
  [tf.FusedConv2D]: conv,
  [tf.DepthwiseConv2dNative]: depthwise,
  [tf.FusedDepthwiseConv2D]: depthwise,
  [tf.BatchMatMul]: matMul,
  [tf._FusedMatMul]: matMul,
  [tf.Conv2DBackpropInput]: transposed,
  [tf.Multiply]: ({ output }) => elements(output),
};

/** The multiply-adds of one kernel call from its name and shapes; 0 for a kernel that does not count. */
export function kernelMacs(
  kernel: string,
  inputShapes: readonly (readonly number[] | null)[],
  outputShape: readonly number[],
): number {
  const count = COUNTED[kernel];
  return count ? count({ inputs: inputShapes, output: outputShape }) : 0;
}

/**
 * Counts what one inference forward pass of a built layer multiplies, per image: the layer runs once at
 * batch 1 on `input` under `tf.profile`, auxiliary heads included (they count in a summary's totals), and
 * each convolution, matrix product and element-wise multiply the kernels ran is counted as
 * `@convkit/shape` counts MACs. The backend's internals are not seen: a kernel is counted by its
 * name and shapes, so the count is the same on every backend.
 *
 * @example
 * ```ts
 * const conv = new Conv2d({ filters: 4, kernel: 3 }).build([8, 8, 3]);
 * (await measureMacs(conv, [8, 8, 3])).macs; // 6·6·4 outputs × 3·3·3 = 3,888
 * ```
 */
export async function measureMacs(layer: Layer, input: Shape, seed = 1): Promise<MeasuredMacs> {
  const x = tf.randomNormal([1, ...input], 0, 1, 'float32', seed);
  try {
    const profile = await tf.profile(() => {
      const { output, auxiliary } = applyWithAuxiliary(layer, x, { training: false });
      return [output, ...auxiliary];
    });
    tf.dispose(profile.result as tf.Tensor[]);
    const kernels = profile.kernels
      .map(({ name, inputShapes, outputShapes }) => ({
        kernel: name,
        inputShapes: inputShapes.flatMap((s) => (s ? [[...s]] : [])),
        outputShape: [...(outputShapes[0] ?? [])],
        macs: kernelMacs(name, inputShapes, outputShapes[0] ?? []),
      }))
      .filter((k) => k.macs > 0);
    return { macs: kernels.reduce((n, k) => n + k.macs, 0), kernels };
  } finally {
    x.dispose();
  }
}

/** `Conv2D [1, 8, 8, 3]·[3, 3, 3, 4] → [1, 6, 6, 4]: 3888` for each kernel, the first `listed` of a long list. */
export function describeKernels(kernels: readonly KernelMacs[], listed = 8): string {
  if (kernels.length === 0) return 'no kernel multiplied';
  const show = (s: readonly number[]) => `[${s.join(', ')}]`;
  const lines = kernels
    .slice(0, listed)
    .map((k) => `${k.kernel} ${k.inputShapes.map(show).join('·')} → ${show(k.outputShape)}: ${k.macs}`);
  const more = kernels.length > listed ? `, … ${kernels.length - listed} more` : '';
  return `${lines.join(', ')}${more}`;
}

/**
 * How {@link runLayerTest} holds a layer's declared MACs against {@link measureMacs}: `'exact'` (they
 * are equal), `'atMost'` (the declaration does not exceed what the ops multiply, which may be more than
 * the formula: a masked kernel, a dilated convolution computed at stride 1 and subsampled, a scale by
 * a constant), or `'skip'`.
 */
export type MacsCheck = 'exact' | 'atMost' | 'skip';

/** Declared (as `summary()` reports them) and measured MACs per image at one input. */
export interface MacsReport {
  declared: number;
  measured: number;
}

/** Checks a built layer's declared MACs at `input` as `mode` says; fails naming both counts and the kernels. */
export async function checkMacs(layer: Layer, input: Shape, mode: MacsCheck): Promise<MacsReport | undefined> {
  if (mode === 'skip') return undefined;
  const declared = trace(input, layer.shapes(input).specs).totals.macs;
  const { macs: measured, kernels } = await measureMacs(layer, input);
  const at = `per image at input [${input.join(', ')}] (${describeKernels(kernels)})`;
  if (mode === 'exact' && declared !== measured) {
    fail(layer.name, 'MACs', `declared ${declared} as exact, the ops multiply ${measured} ${at}`);
  }
  if (mode === 'atMost' && declared > measured) {
    fail(layer.name, 'MACs', `declared ${declared}, more than the ${measured} the ops multiply ${at}`);
  }
  return { declared, measured };
}
