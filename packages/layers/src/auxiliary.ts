import type { LayerSpec, Shape } from '@convkit/shape';
import type * as tf from '@tensorflow/tfjs-core';
import {
  type ApplyOptions,
  type BaseConfig,
  type BuildOptions,
  Layer,
  type LayerJSON,
  type LayerShapes,
} from './layer.js';
import { childSeed, nameTree } from './sequential.js';

/**
 * An auxiliary classifier on the side of a model (GoogLeNet's two, Inception
 * v3's one): in a `sequential` it passes its input on unchanged, and its
 * `head` counts in the summary; `applyWithAuxiliary` runs the heads.
 */
export class AuxiliaryHead extends Layer<BaseConfig> {
  readonly type = 'auxiliaryHead';
  override readonly children: readonly Layer[];

  constructor(head: Layer, config: BaseConfig = {}) {
    super(config);
    this.children = [head];
    nameTree(this);
  }

  /** The classifier this head runs. */
  get head(): Layer {
    return this.children[0] as Layer;
  }

  specs(input: Shape): LayerSpec[] {
    return this.shapes(input).specs;
  }

  /** The head's shapes once; the tap passes its input on unchanged. */
  protected override computeShapes(input: Shape): LayerShapes {
    const head = this.head.shapes(input);
    return { specs: [{ type: 'tap', name: this.name, layers: head.specs }], output: [...input] };
  }

  protected override onBuild(input: Shape, options: BuildOptions): void {
    this.head.build(input, { seed: childSeed(options.seed ?? 0, 0) });
  }

  override namedWeights(): [string, tf.Variable][] {
    return this.head.namedWeights();
  }

  protected call(x: tf.Tensor): tf.Tensor {
    return x.clone();
  }

  override toJSON(): LayerJSON {
    return { type: this.type, config: { ...this.config, head: this.head.toJSON() } };
  }

  override dispose(): void {
    this.head.dispose();
    super.dispose();
  }
}

/**
 * Runs a model and its auxiliary heads: the main output and each head's, in
 * model order. (A plain `apply` skips the heads, as inference does.)
 *
 * @example
 * ```ts
 * const { output, auxiliary } = applyWithAuxiliary(googlenet, x, { training: true });
 * ```
 */
export function applyWithAuxiliary(
  model: Layer,
  x: tf.Tensor,
  options: ApplyOptions = {},
): { output: tf.Tensor; auxiliary: tf.Tensor[] } {
  const auxiliary: tf.Tensor[] = [];
  const walk = (layer: Layer, input: tf.Tensor): tf.Tensor => {
    if (layer instanceof AuxiliaryHead) {
      auxiliary.push(layer.head.apply(input, options));
      return input;
    }
    if (layer.type === 'sequential') {
      let h = input;
      for (const child of layer.children) {
        const next = walk(child, h);
        if (next !== h && h !== input) h.dispose();
        h = next;
      }
      return h;
    }
    return layer.apply(input, options);
  };
  const output = walk(model, x);
  return { output: output === x ? x.clone() : output, auxiliary };
}
