import { BatchNorm, summary } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { leaves, make, summaryOf } from '../test/models.js';
import { type DenseNetConfig, densenet, densenet121Config, densenetModels } from './densenet.js';

const d121 = densenetModels[0] as (typeof densenetModels)[number];

/**
 * Plain-loop oracle from Table 1's numbers alone, at side `n`: trainable
 * parameters (kernels, γ and β, the classifier), the summed batch-norm
 * channels, and MACs of convolutions and the classifier (no BN, no pools).
 */
function byHand({ growth, blocks, bnSize, initFeatures, compression }: DenseNetConfig, n: number, classes = 1000) {
  let side = Math.floor((n + 6 - 7) / 2) + 1; // conv0 7×7/2, padding 3
  let params = 49 * 3 * initFeatures;
  let macs = side * side * 49 * 3 * initFeatures;
  let bnChannels = 0;
  const bn = (c: number) => {
    params += 2 * c;
    bnChannels += c;
  };
  const conv = (k: number, cin: number, cout: number) => {
    params += k * k * cin * cout;
    macs += side * side * k * k * cin * cout;
  };
  bn(initFeatures);
  side = Math.floor((side + 2 - 3) / 2) + 1; // pool0 3×3/2, padding 1
  let c = initFeatures;
  blocks.forEach((layers, b) => {
    for (let l = 0; l < layers; l++, c += growth) {
      bn(c);
      conv(1, c, bnSize * growth);
      bn(bnSize * growth);
      conv(3, bnSize * growth, growth);
    }
    if (b === blocks.length - 1) return;
    bn(c);
    conv(1, c, Math.floor(c * compression));
    c = Math.floor(c * compression);
    side = Math.floor(side / 2);
  });
  bn(c);
  params += c * classes + classes;
  macs += c * classes;
  return { params, bnChannels, macs, channels: c };
}

describe('densenet121 (torchvision 0.14 counts)', () => {
  it('has torchvision’s 7,978,856 trainable parameters, plus 83,648 running statistics', () => {
    const s = summaryOf(d121);
    expect(s.totals.trainable).toBe(7_978_856);
    expect(s.totals.nonTrainable).toBe(83_648);
    expect(s.totals.params).toBe(7_978_856 + 83_648);
    expect(s.output).toEqual([1000]);
    const hand = byHand(densenet121Config, 224);
    expect(hand.params).toBe(7_978_856);
    expect(2 * hand.bnChannels).toBe(83_648);
    expect(hand.channels).toBe(1024);
  });

  it('has 2,834,161,664 MACs at 224 (convolutions and classifier; torchvision prints 2.83 GFLOPS)', () => {
    const s = summaryOf(d121);
    expect(byHand(densenet121Config, 224).macs).toBe(2_834_161_664);
    expect(s.totals.macs).toBe(2_834_161_664);
    expect((s.totals.macs / 1e9).toFixed(2)).toBe('2.83');
  });

  it('has Table 1’s output sizes: 112, 56, then 56 → 28 → 14 → 7, with 256, 512, 1024, 1024 channels after the blocks', () => {
    const rows = summaryOf(d121).rows;
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    expect(shape('features/conv0')).toEqual([112, 112, 64]);
    expect(shape('features/pool0')).toEqual([56, 56, 64]);
    expect(shape('features/denseblock1/denselayer6')).toEqual([56, 56, 256]);
    expect(shape('features/transition1/pool')).toEqual([28, 28, 128]);
    expect(shape('features/denseblock2/denselayer12')).toEqual([28, 28, 512]);
    expect(shape('features/transition2/pool')).toEqual([14, 14, 256]);
    expect(shape('features/denseblock3/denselayer24')).toEqual([14, 14, 1024]);
    expect(shape('features/transition3/pool')).toEqual([7, 7, 512]);
    expect(shape('features/denseblock4/denselayer16')).toEqual([7, 7, 1024]);
    expect(shape('avgpool')).toEqual([1024]);
  });

  it('has 121 weighted layers (120 convolutions and the classifier) and 121 batch norms, BN-ReLU-conv', () => {
    const ours = leaves(make(d121), d121.card.input);
    const kinds = ours.map((l) => l.layer.type);
    expect(kinds.filter((t) => t === 'conv2d')).toHaveLength(120);
    expect(kinds.filter((t) => t === 'dense')).toHaveLength(1);
    expect(kinds.filter((t) => t === 'batchNorm')).toHaveLength(121);
    // Pre-activation: every convolution after conv0 reads a BN → ReLU.
    kinds.forEach((t, k) => {
      if (t === 'conv2d' && k > 0)
        expect(kinds.slice(k - 2, k), ours[k]?.layer.name).toEqual(['batchNorm', 'activation']);
    });
  });

  it('takes numClasses and inputs down to 29×29, as its card says', () => {
    expect(summary(make(d121, [224, 224, 3], 10), { input: [224, 224, 3] }).output).toEqual([10]);
    expect(summaryOf(d121, [29, 29, 3]).totals.trainable).toBe(7_978_856);
    expect(summaryOf(d121, [29, 29, 3]).totals.macs).toBe(byHand(densenet121Config, 29).macs);
    expect(() => make(d121, [28, 28, 3])).toThrow(/at least a 29×29 input, received 28×28×3/);
    expect(d121.card.inputs).toContain('29×29');
  });

  it('builds other DenseNet-BC columns from the config (DenseNet-169: torchvision’s 14,149,480)', () => {
    const d169 = densenet(
      { ...densenet121Config, blocks: [6, 12, 32, 32] },
      { input: [224, 224, 3], numClasses: 1000 },
    );
    expect(summary(d169, { input: [224, 224, 3] }).totals.trainable).toBe(14_149_480);
  });

  it('names its weights as torchvision’s state_dict keys (dots as slashes)', () => {
    const model = make(d121);
    const names = leaves(model, d121.card.input).flatMap(({ layer, input }) =>
      layer.weightSpecs(input).map((w) => `${layer.name}/${w.name}`),
    );
    expect(names).toContain('features/conv0/kernel');
    expect(names).toContain('features/norm0/movingVariance');
    expect(names).toContain('features/denseblock3/denselayer24/conv2/kernel');
    expect(names).toContain('features/transition2/norm/gamma');
    expect(names).toContain('features/norm5/beta');
    expect(names.slice(-2)).toEqual(['classifier/kernel', 'classifier/bias']);
    expect(leaves(model, d121.card.input).filter((l) => l.layer instanceof BatchNorm)).toHaveLength(121);
  });
});
