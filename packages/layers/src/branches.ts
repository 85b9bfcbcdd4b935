import type { LayerSpec, Shape } from '@convkit/shape';
import type * as tf from '@tensorflow/tfjs-core';
import { type BaseConfig, type BuildOptions, Layer, type LayerJSON, type LayerShapes } from './layer.js';
import { childSeed, nameTree } from './sequential.js';

/**
 * Parallel branches from one input, joined into one output: what `concat`,
 * `add` and `multiply` share (children = the branches, each built from the
 * container's input with its own seed, `{ branches }` in JSON). A subclass
 * says how the branch outputs join, in shapes (`joinShape`) and in tensors (`call`).
 */
export abstract class Branches extends Layer<BaseConfig> {
  abstract override readonly type: 'concat' | 'add' | 'multiply';
  override readonly children: readonly Layer[];

  constructor(branches: readonly Layer[], config: BaseConfig = {}) {
    super(config);
    this.children = [...branches];
    nameTree(this);
  }

  specs(input: Shape): LayerSpec[] {
    return this.shapes(input).specs;
  }

  /** The joined output from the branches' output shapes; a `ShapeError` naming the layer if they do not fit. */
  protected abstract joinShape(input: Shape, outputs: readonly Shape[]): number[];

  /** One `shapes` call per branch; the join is checked from the branches' outputs, not by tracing them again. */
  protected override computeShapes(input: Shape): LayerShapes {
    const branches = this.children.map((b) => b.shapes(input));
    return {
      specs: [{ type: this.type, name: this.name, branches: branches.map((b) => b.specs) }],
      output: this.joinShape(
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

  override toJSON(): LayerJSON {
    return { type: this.type, config: { ...this.config, branches: this.children.map((c) => c.toJSON()) } };
  }

  override dispose(): void {
    for (const child of this.children) child.dispose();
    super.dispose();
  }
}
