import { type LayerSpec, type PadSpec, type Shape, ShapeError } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { type BaseConfig, Layer } from './layer.js';

/** Zero padding: one number for all four sides, or `[height, width]`, each a number or `[before, after]`. */
export type ZeroPadding = PadSpec['padding'];

/** Options of {@link ZeroPadding2d}. */
export interface ZeroPadding2dConfig extends BaseConfig {
  /** `2`, `[1, 2]` (1 row above and below, 2 columns left and right) or `[[0, 1], [0, 1]]` (bottom and right only). */
  padding: ZeroPadding;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** `[[top, bottom], [left, right]]`, or undefined if the padding is not numbers ≥ 0. */
function sides(padding: unknown): [[number, number], [number, number]] | undefined {
  const axis = (v: unknown): [number, number] | undefined => {
    if (isCount(v)) return [v, v];
    if (Array.isArray(v) && v.length === 2 && isCount(v[0]) && isCount(v[1])) return [v[0], v[1]];
    return undefined;
  };
  if (isCount(padding)) return [axis(padding), axis(padding)] as [[number, number], [number, number]];
  if (!Array.isArray(padding) || padding.length !== 2) return undefined;
  const [h, w] = [axis(padding[0]), axis(padding[1])];
  return h && w ? [h, w] : undefined;
}

/**
 * Pads the height and width with zeros: `[h, w, c]` →
 * `[h + top + bottom, w + left + right, c]`, as a layer of its own (Keras
 * `ZeroPadding2D`, ONNX `Pad` with constant 0 on the spatial axes) — for an
 * asymmetric padding before a strided convolution or pooling, for instance.
 *
 * @example
 * ```ts
 * new ZeroPadding2d({ padding: 1 }).outputShape([224, 224, 3]);                  // [226, 226, 3]
 * new ZeroPadding2d({ padding: [[0, 1], [0, 1]] }).outputShape([112, 112, 64]);  // [113, 113, 64]
 * ```
 */
export class ZeroPadding2d extends Layer<ZeroPadding2dConfig> {
  readonly type = 'zeroPadding2d';

  constructor(config: ZeroPadding2dConfig) {
    super(config);
    if (!sides(config.padding)) {
      throw new ShapeError(
        this.name,
        `zero padding takes integers ≥ 0: a number or [height, width], each a number or [before, after]; received ${JSON.stringify(config.padding) ?? String(config.padding)}`,
        { padding: config.padding },
      );
    }
  }

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'pad', name: this.name, padding: this.config.padding }];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const [rows, cols] = sides(this.config.padding) as [[number, number], [number, number]];
    return tf.pad(x, [[0, 0], rows, cols, [0, 0]]);
  }
}
