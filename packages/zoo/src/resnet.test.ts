import { Add, Conv2d, type Layer, Shortcut, summary, walkLayers } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { make } from '../test/models.js';
import type { ModelDefinition } from './registry.js';
import { resnetConfigs, resnetModels } from './resnet.js';
import { cifarResnetModels } from './resnet-cifar.js';

const all = [...resnetModels, ...cifarResnetModels];
const def = (name: string): ModelDefinition => {
  const found = all.find((d) => d.card.name === name);
  if (!found) throw new Error(`no model ${name}`);
  return found;
};
const totals = (name: string, input = def(name).card.input, numClasses = def(name).card.numClasses) =>
  summary(make(def(name), input, numClasses), { input }).totals;
const layersOf = <T extends Layer>(model: Layer, kind: abstract new (...args: never[]) => T): T[] =>
  [...walkLayers(model)].map((v) => v.layer).filter((l): l is T => l instanceof kind);

/** [kernel, in channels, out channels, output side] */
type Conv = [number, number, number, number];

/**
 * ResNet-50 (v1.5) written out by hand from Table 1: every convolution as
 * [kernel, in, out, output side], then fc. Independent of the builder.
 */
function resnet50ByHand(): { convs: Conv[]; fc: [number, number] } {
  const convs: Conv[] = [[7, 3, 64, 112]];
  let channels = 64;
  for (const [s, count] of [3, 4, 6, 3].entries()) {
    const width = 64 * 2 ** s;
    const side = 56 / 2 ** s;
    for (let b = 0; b < count; b++) {
      // 1×1 at the block's input side (before the stride), 3×3 with the stride, 1×1 to 4·width.
      const inSide = b === 0 && s > 0 ? side * 2 : side;
      convs.push([1, channels, width, inSide], [3, width, width, side], [1, width, 4 * width, side]);
      if (b === 0) convs.push([1, channels, 4 * width, side]); // the projection
      channels = 4 * width;
    }
  }
  return { convs, fc: [2048, 1000] };
}

describe('ResNet (He et al. 2016, Table 1; torchvision v1.5)', () => {
  it('registers resnet18 … resnet152 with the paper’s card, and the CIFAR nets', () => {
    expect(all.map((d) => d.card.name)).toEqual([
      'resnet18',
      'resnet34',
      'resnet50',
      'resnet101',
      'resnet152',
      'resnet20',
      'resnet56',
      'plain20',
      'plain56',
    ]);
    for (const { card } of all) {
      expect(card.paper).toMatchObject({ year: 2016, title: 'Deep Residual Learning for Image Recognition' });
      expect(card.deviations.length).toBeGreaterThan(0);
    }
    expect(def('resnet50').card.reported?.map((r) => r.value)).toEqual([22.85, 6.71]);
    expect(def('resnet50').card.deviations.join(' ')).toMatch(/v1\.5/);
    expect(def('resnet20').card.reported?.[0]).toMatchObject({ metric: 'error', value: 8.75 });
    expect(def('resnet56').card.reported?.[0]).toMatchObject({ metric: 'error', value: 6.97 });
  });

  it('has the 18, 34, 50, 101 and 152 weight layers of Table 1', () => {
    const perBlock = { basic: 2, bottleneck: 3 };
    const layers = Object.values(resnetConfigs).map(
      ({ block, stages }) => 2 + perBlock[block] * stages.reduce((a, b) => a + b, 0),
    );
    expect(layers).toEqual([18, 34, 50, 101, 152]);
  });

  it('has torchvision 0.14’s trainable parameters at 1000 classes, BN statistics apart', () => {
    const counts = Object.fromEntries(resnetModels.map((d) => [d.card.name, totals(d.card.name).trainable]));
    expect(counts).toEqual({
      resnet18: 11_689_512,
      resnet34: 21_797_672,
      resnet50: 25_557_032,
      resnet101: 44_549_160,
      resnet152: 60_192_808,
    });
    // The ONNX manifest's 25,610,152 = 25,557,032 + 53,120 running means and variances.
    expect(totals('resnet50').nonTrainable).toBe(53_120);
  });

  it('ResNet-50 at 224: 4,089,184,256 MACs (convolutions and fc multiply-adds; no BN, bias, sums or pools), as by hand', () => {
    const { convs, fc } = resnet50ByHand();
    const byHand = convs.reduce((a, [k, i, o, side]) => a + k * k * i * o * side * side, 0) + fc[0] * fc[1];
    expect(byHand).toBe(4_089_184_256); // torchvision: "4.09 GFLOPS"
    expect(totals('resnet50').macs).toBe(byHand);
    // The same table gives the parameters: kernels, BN γ and β, fc weights and bias.
    const params = convs.reduce((a, [k, i, o]) => a + k * k * i * o + 2 * o, 0) + fc[0] * fc[1] + fc[1];
    expect(params).toBe(25_557_032);
    expect(layersOf(make(def('resnet50')), Conv2d)).toHaveLength(convs.length);
  });

  it('puts the stride on the bottleneck’s 3×3 and projects only where the shape changes (option B)', () => {
    const model = make(def('resnet50'));
    const strided = layersOf(model, Conv2d).filter((c) => c.config.stride === 2);
    expect(strided.map((c) => c.name)).toEqual([
      'conv1',
      'layer2/0/conv2',
      'layer2/0/downsample/0',
      'layer3/0/conv2',
      'layer3/0/downsample/0',
      'layer4/0/conv2',
      'layer4/0/downsample/0',
    ]);
    const projections = layersOf(model, Conv2d).filter((c) => c.name.endsWith('downsample/0'));
    expect(projections.map((c) => c.name.split('/')[0])).toEqual(['layer1', 'layer2', 'layer3', 'layer4']);
    expect(layersOf(model, Add)).toHaveLength(16);
    expect(layersOf(model, Conv2d).every((c) => c.config.bias === false)).toBe(true);
    // ResNet-18: layer1 keeps 64 channels, so only layers 2–4 project.
    const r18 = layersOf(make(def('resnet18')), Conv2d).filter((c) => c.name.endsWith('downsample/0'));
    expect(r18.map((c) => c.name)).toEqual(['layer2/0/downsample/0', 'layer3/0/downsample/0', 'layer4/0/downsample/0']);
  });

  it('takes any input: 224 → 7×7 before the pool, 32×32 and 1-channel inputs too', () => {
    const rows = summary(make(def('resnet18')), { input: [224, 224, 3] }).rows;
    const addOut = rows.filter((r) => r.name.endsWith('/relu') && r.name.startsWith('layer')).map((r) => r.outputShape);
    expect(addOut.at(0)).toEqual([56, 56, 64]);
    expect(addOut.at(-1)).toEqual([7, 7, 512]);
    expect(totals('resnet50', [32, 32, 3], 10).trainable).toBe(25_557_032 - 2048 * 990 - 990);
    expect(totals('resnet18', [28, 28, 1]).trainable).toBe(11_689_512 - 7 * 7 * 2 * 64);
  });
});

describe('CIFAR ResNets and plain nets (§4.2, 6n + 2 layers, option A)', () => {
  // 3×3 convolutions without bias, BN γ β, fc 64 → 10 with bias; computed by hand per stage.
  const byHand = (n: number, inChannels = 3) => {
    let params = 9 * inChannels * 16 + 2 * 16;
    let channels = 16;
    for (const width of [16, 32, 64]) {
      for (let b = 0; b < n; b++) {
        params += 9 * channels * width + 2 * width + 9 * width * width + 2 * width;
        channels = width;
      }
    }
    return params + 64 * 10 + 10;
  };

  it('has 269,722 (ResNet-20, "0.27 M") and 853,018 (ResNet-56, "0.85 M") parameters; plain nets the same', () => {
    expect(byHand(3)).toBe(269_722);
    expect(byHand(9)).toBe(853_018);
    expect(totals('resnet20').trainable).toBe(269_722);
    expect(totals('resnet56').trainable).toBe(853_018);
    expect(totals('plain20').trainable).toBe(269_722);
    expect(totals('plain56').trainable).toBe(853_018);
    expect(totals('resnet20').nonTrainable).toBe(2 * (16 + 3 * 2 * (16 + 32 + 64))); // PyTorch: 1,376 running statistics
  });

  it('uses option A shortcuts only where a stage starts, with no parameters; plain nets have none', () => {
    const shortcuts = layersOf(make(def('resnet20')), Shortcut);
    expect(shortcuts.map((s) => [s.name, s.config.stride, s.config.filters])).toEqual([
      ['layer2/0/shortcut', 2, 32],
      ['layer3/0/shortcut', 2, 64],
    ]);
    expect(layersOf(make(def('resnet56')), Add)).toHaveLength(27);
    expect(layersOf(make(def('plain56')), Add)).toHaveLength(0);
    expect(layersOf(make(def('plain56')), Conv2d)).toHaveLength(55);
  });

  it('takes Fashion-MNIST’s 28×28×1: 28² → 14² → 7², 144 fewer weights in conv1', () => {
    for (const name of ['resnet20', 'plain20']) {
      const s = summary(make(def(name), [28, 28, 1]), { input: [28, 28, 1] });
      expect(s.output).toEqual([10]);
      expect(s.totals.trainable).toBe(byHand(3, 1));
      expect(s.totals.trainable).toBe(269_722 - 2 * 9 * 16);
      const sides = s.rows.filter((r) => /^layer\d\/0\/relu$/.test(r.name)).map((r) => r.outputShape);
      expect(sides).toEqual([
        [28, 28, 16],
        [14, 14, 32],
        [7, 7, 64],
      ]);
    }
  });
});
