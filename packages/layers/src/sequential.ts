import { type LayerSpec, type Shape, trace } from '@convkit/shape';
import type * as tf from '@tensorflow/tfjs-core';
import {
  type ApplyOptions,
  type BaseConfig,
  type BuildOptions,
  Layer,
  type LayerJSON,
  type LayerShapes,
} from './layer.js';
import { walkLayers } from './walk.js';

/** A container's children, named `<type><n>` across the whole tree (configured names win). */
export function nameTree(root: Layer): void {
  const counters = new Map<string, number>();
  // walkLayers' pre-order is the numbering order: a container before its children.
  for (const { layer, depth } of walkLayers(root)) {
    if (depth === 0) continue;
    const n = (counters.get(layer.type) ?? 0) + 1;
    counters.set(layer.type, n);
    layer.assignName(`${layer.type}${n}`);
  }
}

/** The seed of a container's k-th child: distinct per child, reproducible. */
export function childSeed(seed: number, k: number): number {
  return seed + 100 * (k + 1);
}

/**
 * Layers applied one after another; itself a layer, so it nests.
 *
 * @example
 * ```ts
 * const model = sequential([
 *   new Conv2d({ filters: 6, kernel: 5, activation: 'relu' }),
 *   new MaxPool2d({ kernel: 2 }),
 *   new Flatten(),
 *   new Dense({ units: 10 }),
 * ]);
 * model.outputShape([28, 28, 1]); // [10]
 * ```
 */
export class Sequential extends Layer<BaseConfig> {
  readonly type = 'sequential';
  override readonly children: readonly Layer[];

  constructor(layers: readonly Layer[], config: BaseConfig = {}) {
    super(config);
    this.children = [...layers];
    nameTree(this);
  }

  specs(input: Shape): LayerSpec[] {
    return this.shapes(input).specs;
  }

  /** One `shapes` call per child: its specs and the next child's input together. */
  protected override computeShapes(input: Shape): LayerShapes {
    // With no child, the trace still validates the input.
    if (this.children.length === 0) return { specs: [], output: trace(input, []).output };
    const specs: LayerSpec[] = [];
    let shape: Shape = input;
    for (const child of this.children) {
      const own = child.shapes(shape);
      specs.push(...own.specs);
      shape = own.output;
    }
    return { specs, output: [...shape] };
  }

  protected override onBuild(input: Shape, options: BuildOptions): void {
    let shape: Shape = input;
    this.children.forEach((child, k) => {
      child.build(shape, { seed: childSeed(options.seed ?? 0, k) });
      shape = child.shapes(shape).output;
    });
  }

  override namedWeights(): [string, tf.Variable][] {
    return this.children.flatMap((c) => c.namedWeights());
  }

  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return this.children.reduce((h, child) => child.apply(h, options), x);
  }

  override toJSON(): LayerJSON {
    return { type: this.type, config: { ...this.config, layers: this.children.map((c) => c.toJSON()) } };
  }

  override dispose(): void {
    for (const child of this.children) child.dispose();
    super.dispose();
  }
}

/** `new Sequential(layers, config)`. */
export function sequential(layers: readonly Layer[], config: BaseConfig = {}): Sequential {
  return new Sequential(layers, config);
}
