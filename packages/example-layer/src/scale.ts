import {
  type BaseConfig,
  type Initializer,
  Layer,
  type LayerJSON,
  registerLayer,
  type WeightSpec,
} from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';

// The shape-math types, as the Layer contract names them (they come from
// @convkit/shape; deriving them keeps this package on @convkit/layers alone).
type Shape = Parameters<Layer['specs']>[0];
type LayerSpec = ReturnType<Layer['specs']>[number];

/** Options of {@link Scale}: plain JSON, as every layer's. */
export interface ScaleConfig extends BaseConfig {
  /** Add a learnable per-channel bias too (Caffe's `Scale` with `bias_term`). Default false. */
  bias?: boolean;
  /** Start of the scale. Default 'ones' (the layer starts as the identity). */
  scaleInit?: Initializer;
  /** Start of the bias. Default 'zeros'. */
  biasInit?: Initializer;
}

// Declaration merging: `registerLayer('scale', …)`, `createLayer('scale', …)`
// and `fromJSON` now know the type and its config.
declare module '@convkit/layers' {
  interface LayerConfigs {
    scale: ScaleConfig;
  }
}

/**
 * A per-channel learnable scale (and optional bias): `y = x · γ[c] (+ β[c])`
 * on a channels-last input `[h, w, C]` (or `[C]`). It declares its own cost
 * with a `custom` spec, so summaries, memory estimates and diagrams count
 * exactly its C (or 2·C) parameters and its h·w·C multiply-adds.
 *
 * @example
 * ```ts
 * new Scale({ bias: true }).outputShape([8, 8, 16]); // [8, 8, 16] — 32 parameters
 * ```
 */
export class Scale extends Layer<ScaleConfig> {
  readonly type = 'scale';

  constructor(config: ScaleConfig = {}) {
    super(config);
  }

  // The layer's geometry in one place: `trace`, `summary()` and the
  // architecture diagram read these numbers as they read a convolution's.
  specs(input: Shape): LayerSpec[] {
    const channels = input[input.length - 1] as number;
    const values = input.reduce((a, b) => a * b, 1);
    return [
      {
        type: 'custom',
        kind: this.type,
        name: this.name,
        output: [...input], // element-wise: the shape is kept
        params: { trainable: (this.config.bias ? 2 : 1) * channels },
        macs: values, // one multiply(-add) per value
        field: 'none', // each output pixel sees only its own input pixel
      },
    ];
  }

  override weightSpecs(input: Shape): WeightSpec[] {
    const channels = input[input.length - 1] as number;
    const { bias = false, scaleInit = 'ones', biasInit = 'zeros' } = this.config;
    const weights: WeightSpec[] = [{ name: 'scale', shape: [channels], trainable: true, init: scaleInit }];
    if (bias) weights.push({ name: 'bias', shape: [channels], trainable: true, init: biasInit });
    return weights;
  }

  // `apply` has checked the rank and channels and runs this inside `tf.tidy`.
  protected call(x: tf.Tensor): tf.Tensor {
    const scaled = tf.mul(x, this.weight('scale'));
    return this.config.bias ? tf.add(scaled, this.weight('bias')) : scaled;
  }

  // The default `toJSON` (`{ type, config }`) is right for a leaf layer;
  // shown here because a layer with children or non-JSON state overrides it.
  override toJSON(): LayerJSON {
    return super.toJSON();
  }
}

// Once, when the module loads: `fromJSON({ type: 'scale', … })` works from here on.
// `keys` lists every option (TypeScript checks it against ScaleConfig), so a
// typo such as `{ bais: true }` is a ConfigError instead of a silent default.
registerLayer('scale', (config) => new Scale(config), {
  keys: { name: true, bias: true, scaleInit: true, biasInit: true },
});
