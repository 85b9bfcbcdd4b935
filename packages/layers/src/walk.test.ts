import { initBackend } from '@convkit/backend';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuxiliaryHead } from './auxiliary.js';
import { inception } from './blocks.js';
import { Conv2d } from './conv.js';
import { Dense, Flatten } from './dense.js';
import { type ApplyOptions, type BuildOptions, Layer, type LayerShapes } from './layer.js';
import { MaxPool2d } from './pool.js';
import { Sequential } from './sequential.js';
import { walkLayers } from './walk.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A container written outside the library's classes: y = x + inner(x). */
class Residual extends Layer {
  readonly type = 'residual';
  override readonly children: readonly Layer[];
  constructor(inner: Layer, name: string) {
    super({ name });
    this.children = [inner];
  }
  get inner(): Layer {
    return this.children[0] as Layer;
  }
  specs(input: Shape): LayerSpec[] {
    return this.shapes(input).specs;
  }
  protected override computeShapes(input: Shape): LayerShapes {
    const inner = this.inner.shapes(input);
    const add: LayerSpec = { type: 'custom', kind: 'add', name: `${this.name}/add`, output: input };
    return { specs: [...inner.specs, add], output: [...input] };
  }
  protected override onBuild(input: Shape, options: BuildOptions): void {
    this.inner.build(input, options);
  }
  override namedWeights(): [string, tf.Variable][] {
    return this.inner.namedWeights();
  }
  protected call(x: tf.Tensor, options: ApplyOptions): tf.Tensor {
    return tf.add(x, this.inner.apply(x, options));
  }
}

const model = () =>
  new Sequential(
    [
      new Conv2d({ filters: 4, kernel: 3, padding: 1, name: 'stem' }),
      inception({ c1: 2, c3reduce: 2, c3: 2, c5reduce: 1, c5: 1, poolProj: 1, name: 'inc' }),
      new Residual(new Conv2d({ filters: 6, kernel: 1, name: 'inner' }), 'res'),
      new AuxiliaryHead(new Sequential([new Flatten(), new Dense({ units: 2, name: 'auxfc' })]), { name: 'aux' }),
      new MaxPool2d({ kernel: 2, name: 'pool' }),
    ],
    { name: 'net' },
  );

describe('walkLayers', () => {
  it('visits every layer once, depth-first and pre-order, into branches, heads and downstream containers', () => {
    const visits = walkLayers(model());
    expect(visits.map((v) => [v.layer.name, v.depth])).toEqual([
      ['net', 0],
      ['stem', 1],
      ['inc', 1],
      ['inc/branch1', 2],
      ['inc/1x1', 3],
      ['inc/branch2', 2],
      ['inc/3x3_reduce', 3],
      ['inc/3x3', 3],
      ['inc/branch3', 2],
      ['inc/5x5_reduce', 3],
      ['inc/5x5', 3],
      ['inc/branch4', 2],
      ['inc/pool', 3],
      ['inc/pool_proj', 3],
      ['res', 1],
      ['inner', 2],
      ['aux', 1],
      ['sequential5', 2], // the inception's four branches are sequentials too
      ['flatten1', 3],
      ['auxfc', 3],
      ['pool', 1],
    ]);
    const conv = visits.find((v) => v.layer.name === 'inc/3x3');
    expect(conv?.path).toEqual(['net', 'inc', 'inc/branch2', 'inc/3x3']);
    expect(conv?.index).toBe(1);
    expect(conv?.parent?.layer.name).toBe('inc/branch2');
  });

  it('gives a leaf no children and reports a shared layer once', () => {
    const leaf = new Conv2d({ filters: 1, kernel: 1, name: 'shared' });
    expect(leaf.children).toEqual([]);
    expect(walkLayers(leaf).map((v) => v.path)).toEqual([['shared']]);
    const twice = new Sequential([leaf, leaf], { name: 'twice' });
    expect(walkLayers(twice).map((v) => v.layer.name)).toEqual(['twice', 'shared']);
  });

  it('is linear: a chain 20,000 containers deep is walked without recursion', () => {
    let inner: Layer = new Conv2d({ filters: 1, kernel: 1 });
    for (let d = 0; d < 20_000; d++) inner = new Residual(inner, `r${d}`);
    const visits = walkLayers(inner);
    expect(visits).toHaveLength(20_001);
    expect(visits.at(-1)?.depth).toBe(20_000);
  });

  it('a downstream container counts in summaries and builds its children', () => {
    const net = model().build([8, 8, 3], { seed: 1 });
    expect(net.namedWeights().map(([n]) => n)).toContain('inner/kernel');
    const x = tf.ones([1, 8, 8, 3]);
    const y = net.apply(x);
    expect(y.shape).toEqual([1, 4, 4, 6]);
    tf.dispose([x, y]);
    net.dispose();
  });
});
