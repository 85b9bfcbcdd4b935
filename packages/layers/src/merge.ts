import { mergeOutput, type Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { Branches } from './branches.js';
import type { ApplyOptions, BaseConfig, Layer } from './layer.js';

/**
 * Parallel branches from one input, summed element-wise — a residual
 * connection. Every branch must give the same shape; an identity branch is
 * `sequential([])`. The sum itself has no parameters and counts 0 MACs.
 *
 * @example
 * ```ts
 * const block = add([
 *   sequential([conv3x3(64), new BatchNorm({}), new Activation({ fn: 'relu' }), conv3x3(64), new BatchNorm({})]),
 *   sequential([]), // the identity shortcut
 * ]);
 * block.outputShape([56, 56, 64]); // [56, 56, 64]
 * ```
 */
export class Add extends Branches {
  readonly type = 'add';

  protected joinShape(input: Shape, outputs: readonly Shape[]): number[] {
    return mergeOutput(this.name, 'add', input, outputs);
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const outputs = this.children.map((branch) => branch.apply(x, options));
    return outputs.length === 1 ? (outputs[0] as tf.Tensor) : tf.addN(outputs);
  }
}

/**
 * Parallel branches from one input, multiplied element-wise. A branch may
 * give a `[c]` or `[1, 1, c]` gate, broadcast over every pixel of the
 * `[h, w, c]` branches (squeeze-and-excitation).
 *
 * @example
 * ```ts
 * const se = multiply([
 *   sequential([]),
 *   sequential([new GlobalPool2d({}), new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 32, activation: 'sigmoid' })]),
 * ]);
 * se.outputShape([7, 7, 32]); // [7, 7, 32]
 * ```
 */
export class Multiply extends Branches {
  readonly type = 'multiply';

  protected joinShape(input: Shape, outputs: readonly Shape[]): number[] {
    return mergeOutput(this.name, 'multiply', input, outputs);
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    const outputs = this.children.map((branch) => branch.apply(x, options));
    const rank = Math.max(...outputs.map((t) => t.rank));
    // A [batch, c] gate aligns with the channels of [batch, h, w, c] only once its middle axes exist.
    const aligned = outputs.map((t) =>
      t.rank === rank ? t : tf.reshape(t, [t.shape[0] as number, ...Array(rank - t.rank).fill(1), ...t.shape.slice(1)]),
    );
    return aligned.reduce((product, t) => tf.mul(product, t));
  }
}

/** `new Add(branches, config)`: a residual join. */
export function add(branches: readonly Layer[], config: BaseConfig = {}): Add {
  return new Add(branches, config);
}

/** `new Multiply(branches, config)`: an element-wise product, gates broadcast. */
export function multiply(branches: readonly Layer[], config: BaseConfig = {}): Multiply {
  return new Multiply(branches, config);
}
