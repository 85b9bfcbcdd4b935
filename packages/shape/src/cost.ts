import { assertPositiveInt, ShapeError, show } from './errors.js';
import { type ConvParamsOptions, type DenseParamsOptions, filterDepths } from './params.js';
import { type Size2, toPair } from './size2.js';

/**
 * Multiply-accumulates of a convolution for one image: each output element
 * of filter `f` costs `kh·kw·depth(f)` MACs. Bias additions are not counted
 * (as in torchvision's and fvcore's figures).
 *
 * @example
 * ```ts
 * convMacs({ inChannels: 3, filters: 64, kernel: 3, output: 224 }); // 86,704,128
 * ```
 */
export function convMacs(o: ConvParamsOptions & { output: Size2 }): number {
  const op = o.op ?? 'conv';
  const [kh, kw] = toPair(op, 'kernel', o.kernel);
  const [oh, ow] = toPair(op, 'output', o.output);
  const depthSum = filterDepths(o).reduce((a, b) => a + b, 0);
  return oh * ow * kh * kw * depthSum;
}

/** Multiply-accumulates of a fully connected layer for one input: `inFeatures·units`. */
export function denseMacs(o: DenseParamsOptions): number {
  const op = o.op ?? 'dense';
  assertPositiveInt(op, 'inFeatures', o.inFeatures);
  assertPositiveInt(op, 'units', o.units);
  return o.inFeatures * o.units;
}

/** A cost in both units, always labelled: one multiply-add is 1 MAC and 2 FLOPs. */
export interface Cost {
  macs: number;
  flops: number;
}

/** `{ macs, flops: 2·macs }`. */
export function cost(macs: number): Cost {
  return { macs, flops: 2 * macs };
}

/** Element types whose sizes the memory estimates know. */
export type Dtype = 'float32' | 'float16' | 'bfloat16' | 'int32' | 'int8' | 'uint8' | 'bool';

const BYTES: Readonly<Record<Dtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** Bytes one element of `dtype` occupies. */
export function bytesPerElement(dtype: Dtype = 'float32'): number {
  const bytes = BYTES[dtype];
  if (bytes === undefined) {
    throw new ShapeError('bytesPerElement', `unknown dtype ${show(dtype)}: use ${Object.keys(BYTES).join(', ')}`, {
      dtype,
    });
  }
  return bytes;
}

/** The number of elements of a shape (1 for `[]`). */
export function elements(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Adds `f(item)` over items. */
export function sum<T>(items: readonly T[], f: (item: T) => number): number {
  return items.reduce((total, item) => total + f(item), 0);
}
