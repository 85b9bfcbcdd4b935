import { initBackend } from '@convkit/backend';
import {
  BatchNorm,
  ChannelShuffle,
  ChannelSlice,
  Conv2d,
  Dense,
  type Layer,
  summary,
  walkLayers,
} from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { summaryOf } from '../test/models.js';
import { shufflenetModels, shufflenetV1, shuffleUnitV2 } from './shufflenet.js';

const def = (name: string) => {
  const d = shufflenetModels.find((m) => m.card.name === name);
  if (!d) throw new Error(`no model ${name}`);
  return d;
};
const leaves = (model: Layer) => [...walkLayers(model)].map((v) => v.layer);

/**
 * A ShuffleNet v1 unit's weights by hand: grouped 1×1 (cin/g · w), depthwise
 * 3×3 (9w), grouped 1×1 (w/g · w), three BatchNorms of w channels (γ, β).
 * `w` is the branch width: cout − cin at stride 2 (the pool brings cin), cout at stride 1.
 */
function unitV1(cin: number, cout: number, stride: number, g: number, firstGroups = g): number {
  const w = stride === 2 ? cout - cin : cout;
  return (cin / firstGroups) * w + 9 * w + (w / g) * w + 3 * 2 * w;
}

describe('shufflenet-v1-g4 (the Caffe2 graph in the ONNX test data)', () => {
  it('has 1,393,320 trainable parameters and 26,832 running statistics: the graph’s 1,420,152 floats', () => {
    const s = summaryOf(def('shufflenet-v1-g4'));
    const stem = 27 * 24 + 24 + 2 * 24; // conv3_0 with its bias, BatchNorm γ and β
    const stage = (n: number, cin: number, cout: number) =>
      unitV1(cin, cout, 2, 4) + (n - 1) * unitV1(cout, cout, 1, 4);
    const byHand = stem + stage(4, 24, 136) + stage(8, 136, 272) + stage(4, 272, 544) + 544 * 1000 + 1000;
    expect(s.totals.trainable).toBe(byHand);
    expect(s.totals.trainable).toBe(1_393_320);
    // Running mean and variance, 2 per BatchNorm channel: the stem's 24, and 3 BatchNorms per unit as wide as its branch.
    const widths = 112 + 3 * 136 + (136 + 7 * 272) + (272 + 3 * 544);
    expect(s.totals.nonTrainable).toBe(2 * (24 + 3 * widths));
    expect(s.totals.nonTrainable).toBe(26_832);
    expect(s.totals.params).toBe(1_420_152);
    expect(s.output).toEqual([1000]);
  });

  it('has 124,664,528 MACs at 224 (convolutions and fc; the shuffles, pools, adds and BatchNorms count 0)', () => {
    expect(summaryOf(def('shufflenet-v1-g4')).totals.macs).toBe(124_664_528);
  });

  it('leaves stage 2’s first 1×1 ungrouped as the paper does, on request: 18 · 112 more weights', () => {
    const paperLike = summary(shufflenetV1({ numClasses: 1000, groupFirstPointwise: false }), { input: [224, 224, 3] });
    expect(paperLike.totals.trainable - 1_393_320).toBe(unitV1(24, 136, 2, 4, 1) - unitV1(24, 136, 2, 4));
    expect(paperLike.totals.trainable - 1_393_320).toBe(18 * 112);
  });

  it('shuffles with 4 groups between every grouped 1×1 and its depthwise 3×3', () => {
    const model = def('shufflenet-v1-g4').build({ numClasses: 1000, input: [224, 224, 3], auxLogits: false });
    const shuffles = leaves(model).filter((l): l is ChannelShuffle => l instanceof ChannelShuffle);
    expect(shuffles.map((s) => s.config.groups)).toEqual(Array(16).fill(4));
  });
});

describe('shufflenet-v2-x1.0 (Ma et al. 2018, torchvision’s shufflenet_v2_x1_0)', () => {
  it('has torchvision’s 2,278,604 parameters and 16,180 running statistics', () => {
    const s = summaryOf(def('shufflenet-v2-x1.0'));
    expect(s.totals.trainable).toBe(2_278_604);
    expect(s.totals.nonTrainable).toBe(16_180);
    expect(s.output).toEqual([1000]);
  });

  it('has 144,907,992 MACs at 224 (the paper’s 146 M FLOPs; PyTorch forward hooks on torchvision’s model count the same)', () => {
    expect(summaryOf(def('shufflenet-v2-x1.0')).totals.macs).toBe(144_907_992);
  });

  it('names its 113 weighted layers as torchvision’s modules', () => {
    const model = def('shufflenet-v2-x1.0').build({ numClasses: 1000, input: [224, 224, 3], auxLogits: false });
    const names = leaves(model)
      .filter((l) => l instanceof Conv2d || l instanceof BatchNorm || l instanceof Dense)
      .map((l) => l.name.replaceAll('/', '.'));
    expect(names).toHaveLength(113); // torchvision: 56 convolutions, 56 BatchNorms, fc
    expect(names.slice(0, 8)).toEqual([
      'conv1.0', 'conv1.1',
      'stage2.0.branch1.0', 'stage2.0.branch1.1', 'stage2.0.branch1.2', 'stage2.0.branch1.3',
      'stage2.0.branch2.0', 'stage2.0.branch2.1',
    ]); // biome-ignore format: one module per entry
    expect(names).toContain('stage2.1.branch2.5');
    expect(names.slice(-3)).toEqual(['conv5.0', 'conv5.1', 'fc']);
    const slices = leaves(model).filter((l): l is ChannelSlice => l instanceof ChannelSlice);
    expect(slices).toHaveLength(2 * 13); // every stride-1 unit splits its input in two halves
  });

  it('a stride-1 unit passes the first half of its channels through, interleaved by the shuffle (torchvision’s channel_shuffle)', async () => {
    await initBackend('cpu');
    const unit = shuffleUnitV2('stage2/1', 8, 8, 1);
    unit.build([3, 3, 8], { seed: 1 });
    const x = tf.randomUniform([1, 3, 3, 8], -1, 1, 'float32', 3);
    const y = unit.apply(x);
    const [xs, ys] = [await x.data(), await y.data()];
    // channel_shuffle(cat(x1, b), 2): view(n, 2, 4, h, w).transpose(1, 2) puts x1[i] at output channel 2i.
    for (let p = 0; p < 9; p++) {
      for (let i = 0; i < 4; i++) expect(ys[p * 8 + 2 * i]).toBe(xs[p * 8 + i]);
    }
    tf.dispose([x, y]);
    unit.dispose();
  });
});
