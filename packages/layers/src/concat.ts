import { concatOutput, type Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { Branches } from './branches.js';
import type { ApplyOptions, BaseConfig, Layer } from './layer.js';

/**
 * Parallel branches from one input, joined by concatenating their channels —
 * what an inception module is. Each branch is a layer (usually a
 * `sequential`); the branches must agree on height and width (they may all
 * downsample alike, as Inception v3's grid reductions do).
 */
export class Concat extends Branches {
  readonly type = 'concat';

  protected joinShape(input: Shape, outputs: readonly Shape[]): number[] {
    return concatOutput(this.name, input, outputs);
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.concat(
      this.children.map((branch) => branch.apply(x, options)),
      x.rank - 1,
    );
  }
}

/** `new Concat(branches, config)`. */
export function concat(branches: readonly Layer[], config: BaseConfig = {}): Concat {
  return new Concat(branches, config);
}
