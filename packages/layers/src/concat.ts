import { concatOutput, type LayerSpec, type Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
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
 * Parallel branches from one input, joined by concatenating their channels —
 * what an inception module is. Each branch is a layer (usually a
 * `sequential`); the branches must agree on height and width (they may all
 * downsample alike, as Inception v3's grid reductions do).
 */
export class Concat extends Layer<BaseConfig> {
  readonly type = 'concat';
  override readonly children: readonly Layer[];

  constructor(branches: readonly Layer[], config: BaseConfig = {}) {
    super(config);
    this.children = [...branches];
    nameTree(this);
  }

  specs(input: Shape): LayerSpec[] {
    return this.shapes(input).specs;
  }

  /** One `shapes` call per branch; the join is checked from the branches' outputs, not by tracing them again. */
  protected override computeShapes(input: Shape): LayerShapes {
    const branches = this.children.map((b) => b.shapes(input));
    return {
      specs: [{ type: 'concat', name: this.name, branches: branches.map((b) => b.specs) }],
      output: concatOutput(
        this.name,
        input,
        branches.map((b) => b.output),
      ),
    };
  }

  protected override onBuild(input: Shape, options: BuildOptions): void {
    this.children.forEach((branch, k) => {
      branch.build(input, { seed: childSeed(options.seed ?? 0, k) });
    });
  }

  override namedWeights(): [string, tf.Variable][] {
    return this.children.flatMap((c) => c.namedWeights());
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.concat(
      this.children.map((branch) => branch.apply(x, options)),
      x.rank - 1,
    );
  }

  override toJSON(): LayerJSON {
    return { type: this.type, config: { ...this.config, branches: this.children.map((c) => c.toJSON()) } };
  }

  override dispose(): void {
    for (const child of this.children) child.dispose();
    super.dispose();
  }
}

/** `new Concat(branches, config)`. */
export function concat(branches: readonly Layer[], config: BaseConfig = {}): Concat {
  return new Concat(branches, config);
}
