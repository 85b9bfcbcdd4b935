import { initBackend } from '@convkit/backend';
import {
  add,
  type BuildOptions,
  Conv2d,
  Dense,
  Flatten,
  inception,
  Layer,
  type LayerSpec,
  MaxPool2d,
  type Shape,
  sequential,
} from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureMaps } from './feature-maps.js';
import { filterGrid } from './filters.js';
import { activationAt, fieldAt, layerKernel, layerNames, layerPath } from './model-path.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const model = () =>
  sequential(
    [
      sequential([new Conv2d({ filters: 4, kernel: 5, name: 'conv1' }), new MaxPool2d({ kernel: 2, name: 'pool1' })], {
        name: 'stem',
      }),
      new Conv2d({ filters: 8, kernel: 3, stride: 2, padding: 1, name: 'conv2' }),
      new Flatten({ name: 'flatten' }),
      new Dense({ units: 3, name: 'fc' }),
    ],
    { name: 'net' },
  );

describe('layer paths through nested sequential models', () => {
  it('lists names and finds the layers leading to one', () => {
    const m = model();
    expect(layerNames(m)).toEqual(['net', 'stem', 'conv1', 'pool1', 'conv2', 'flatten', 'fc']);
    // A container before the target runs whole; one holding it is opened.
    expect(layerPath(m, 'conv2').map((l) => l.name)).toEqual(['stem', 'conv2']);
    expect(layerPath(m, 'pool1').map((l) => l.name)).toEqual(['conv1', 'pool1']);
    expect(layerPath(m, 'stem').map((l) => l.name)).toEqual(['stem']);
    expect(() => layerPath(m, 'conv3')).toThrow(/no layer named "conv3" in net: the layers are net, stem, conv1/);
  });

  it('opens a residual block: a layer in its branch is reached from the block input', () => {
    const block = add(
      [
        sequential([
          new Conv2d({ filters: 4, kernel: 3, padding: 1, name: 'a' }),
          new Conv2d({ filters: 4, kernel: 3, padding: 1, name: 'b' }),
        ]),
        sequential([]),
      ],
      { name: 'block' },
    );
    const m = sequential([new Conv2d({ filters: 4, kernel: 1, name: 'stem' }), block], { name: 'net' });
    expect(layerPath(m, 'b').map((l) => l.name)).toEqual(['stem', 'a', 'b']);
    // stem 1×1, then two 3×3 in the branch: 5×5 (the identity branch's 1×1 lies inside it).
    expect(fieldAt(m, [8, 8, 1], 'b').receptiveField?.size).toEqual([5, 5]);
  });

  it('traces the receptive field up to a layer (Araujo et al.: size, jump, start)', () => {
    const m = model();
    // conv1 5×5: size 5, start 2; pool 2/2: size 6, jump 2, start 2.5; conv2 3×3/2 pad 1: size 10, jump 4,
    // start 2.5 + ((3 − 1)/2 − 1)·2 = 2.5.
    expect(fieldAt(m, [28, 28, 1], 'pool1')).toEqual({
      outputShape: [12, 12, 4],
      receptiveField: { size: [6, 6], jump: [2, 2], start: [2.5, 2.5] },
    });
    expect(fieldAt(m, [28, 28, 1], 'conv2').receptiveField).toEqual({
      size: [10, 10],
      jump: [4, 4],
      start: [2.5, 2.5],
    });
    expect(fieldAt(m, [28, 28, 1], 'fc')).toEqual({ outputShape: [3] });
  });

  it('runs the model up to a layer, the same as applying the layers by hand, without leaks', () => {
    const m = model().build([28, 28, 1], { seed: 3 });
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    const y = activationAt(m, x, 'pool1');
    expect(y.shape).toEqual([2, 12, 12, 4]);
    const stem = layerPath(m, 'stem')[0];
    const direct = stem?.apply(x) as tf.Tensor;
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, direct))).dataSync()[0])).toBe(0);
    tf.dispose([y, direct]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('finds a convolution kernel by layer name', () => {
    const m = model().build([28, 28, 1]);
    expect(layerKernel(m, 'conv2').shape).toEqual([3, 3, 4, 8]);
    expect(() => layerKernel(m, 'pool1')).toThrow(
      /pool1: has no 4-D kernel weight "pool1\/kernel".*conv1\/kernel, conv2\/kernel/,
    );
  });
});

/** A container written outside @convkit/layers: y = x + inner(x); viz does not know its wiring. */
class Residual extends Layer {
  readonly type = 'residual';
  override readonly children: readonly Layer[];
  constructor(inner: Layer, name: string) {
    super({ name });
    this.children = [inner];
  }
  specs(input: Shape): LayerSpec[] {
    return [...(this.children[0] as Layer).specs(input), { type: 'custom', kind: 'add', output: input }];
  }
  protected override onBuild(input: Shape, options: BuildOptions): void {
    (this.children[0] as Layer).build(input, options);
  }
  override namedWeights(): [string, tf.Variable][] {
    return (this.children[0] as Layer).namedWeights();
  }
  protected call(x: tf.Tensor): tf.Tensor {
    return tf.add(x, (this.children[0] as Layer).apply(x));
  }
}

describe('layers inside inception branches and downstream containers', () => {
  const branchy = () =>
    sequential(
      [
        new Conv2d({ filters: 3, kernel: 3, name: 'stem' }),
        inception({ c1: 2, c3reduce: 2, c3: 4, c5reduce: 1, c5: 1, poolProj: 1, name: 'inc' }),
        new Residual(new Conv2d({ filters: 8, kernel: 3, padding: 1, name: 'inner' }), 'res'),
      ],
      { name: 'net' },
    );

  it('lists and finds them: a branch sees the module input', () => {
    const m = branchy();
    expect(layerNames(m)).toContain('inc/3x3');
    expect(layerNames(m)).toContain('inner');
    expect(layerPath(m, 'inc/3x3').map((l) => l.name)).toEqual(['stem', 'inc/3x3_reduce', 'inc/3x3']);
    expect(() => layerPath(m, 'inner')).toThrow(/inner sits inside res \(residual\), a container whose wiring/);
  });

  it('draws the filters and feature maps of a convolution inside a branch', async () => {
    const m = branchy().build([9, 9, 2], { seed: 2 });
    expect((await filterGrid(layerKernel(m, 'inc/3x3'))).image.width).toBeGreaterThan(0);
    const x = tf.randomUniform([1, 9, 9, 2], 0, 1, 'float32', 4);
    const y = activationAt(m, x, 'inc/3x3');
    // Oracle: the branch's two convolutions applied by hand to the stem's output.
    const byHand = tf.tidy(() => {
      const [stem, inc] = m.children as [Layer, Layer];
      const branch = inc.children[1] as Layer;
      return branch.apply(stem.apply(x));
    });
    expect(y.shape).toEqual([1, 7, 7, 4]);
    expect(Array.from(await y.data())).toEqual(Array.from(await byHand.data()));
    expect((await featureMaps(y)).image.width).toBeGreaterThan(0);
    // stem 3×3, then the 1×1 and the 3×3 pad 1: size 5.
    expect(fieldAt(m, [9, 9, 2], 'inc/3x3').receptiveField?.size).toEqual([5, 5]);
    tf.dispose([x, y, byHand]);
    m.dispose();
  });

  it('reaches a layer inside a downstream container by running the model, without leaks', async () => {
    const m = branchy().build([9, 9, 2], { seed: 2 });
    const x = tf.randomUniform([1, 9, 9, 2], 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    const y = activationAt(m, x, 'inner');
    expect(tf.memory().numTensors).toBe(before + 1);
    const byHand = tf.tidy(() => {
      const [stem, inc, res] = m.children as [Layer, Layer, Layer];
      return (res.children[0] as Layer).apply(inc.apply(stem.apply(x)));
    });
    expect(Array.from(await y.data())).toEqual(Array.from(await byHand.data()));
    expect(Object.hasOwn(m.children[2]?.children[0] as Layer, 'apply')).toBe(false);
    // stem 3×3 (size 3), inception joins its branches' union (5×5 branch: 3 + 4 = 7), inner 3×3: 9.
    expect(fieldAt(m, [9, 9, 2], 'inner')).toEqual({
      outputShape: [7, 7, 8],
      receptiveField: { size: [9, 9], jump: [1, 1], start: [1, 1] },
    });
    tf.dispose([x, y, byHand]);
    m.dispose();
  });
});
