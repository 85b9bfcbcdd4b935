import { type BaseConfig, Layer, type LayerSpec, type Shape, type WeightSpec } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link EuclideanRbf}. */
export interface EuclideanRbfConfig extends BaseConfig {
  units: number;
}

/**
 * LeNet-5's output layer: each unit is a Euclidean radial basis function,
 * `y_i = Σ_j (x_j − w_ij)²`, with fixed (non-trainable) centres `w_i`. The
 * paper drew the centres from 7×12 bitmaps of the characters; here they are
 * seeded ±1 patterns. Returned negated, so that the largest value is the
 * nearest centre and the output works as logits.
 */
export class EuclideanRbf extends Layer<EuclideanRbfConfig> {
  readonly type = 'euclideanRbf';

  specs(_input: Shape): LayerSpec[] {
    return [{ type: 'dense', name: this.name, units: this.config.units, bias: false, trainable: false }];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    // ±1 centres: the sign of a seeded uniform draw (rounded in call's first use is not needed: see build).
    return [
      {
        name: 'centres',
        shape: [input[0] as number, this.config.units],
        trainable: false,
        init: { uniform: { min: -1, max: 1 } },
      },
    ];
  }

  protected call(x: tf.Tensor): tf.Tensor {
    const centres = tf.sign(this.weight('centres')) as tf.Tensor2D; // [in, units], ±1
    // Σ_j (x_j − w_ij)² = |x|² − 2·x·w_i + |w_i|²
    const x2 = tf.sum(tf.square(x), 1, true);
    const w2 = tf.sum(tf.square(centres), 0, true);
    const distance = tf.add(tf.sub(x2, tf.mul(2, tf.matMul(x as tf.Tensor2D, centres))), w2);
    return tf.neg(distance);
  }
}
