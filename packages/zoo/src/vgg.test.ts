import { summary } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import type { ModelOptions } from './registry.js';
import { cfgs, vggModels } from './vgg.js';

/** As `getModel` does: by name or alias, the card's defaults filled in. */
function model(name: string, options: ModelOptions = {}) {
  const definition = vggModels.find((d) => d.card.name === name || d.card.aliases?.includes(name));
  if (!definition) throw new Error(`no VGG model ${name}`);
  const { card, build } = definition;
  const input = options.input ?? card.input;
  const layer = build({ numClasses: options.numClasses ?? card.numClasses, input, auxLogits: false });
  return { card, layer, summary: summary(layer, { input }) };
}

const rowsOf = (name: string, options: ModelOptions = {}) => model(name, options).summary.rows;

describe('VGG (Simonyan & Zisserman 2015, Table 1)', () => {
  it('registers A, A-LRN, B, C, D, E and the BN variants of A, B, D, E, with torchvision’s aliases', () => {
    expect(vggModels.map((d) => [d.card.name, d.card.aliases ?? []])).toEqual([
      ['vgg-a', ['vgg11']],
      ['vgg-a-lrn', []],
      ['vgg-b', ['vgg13']],
      ['vgg-c', []],
      ['vgg-d', ['vgg16']],
      ['vgg-e', ['vgg19']],
      ['vgg-a-bn', ['vgg11-bn']],
      ['vgg-b-bn', ['vgg13-bn']],
      ['vgg-d-bn', ['vgg16-bn']],
      ['vgg-e-bn', ['vgg19-bn']],
    ]);
    for (const { card } of vggModels) {
      expect(card.input).toEqual([224, 224, 3]);
      expect(card.numClasses).toBe(1000);
      expect(card.paper).toMatchObject({ authors: 'Simonyan, Zisserman', year: 2015 });
      expect(card.inputs).toMatch(/32×32/);
    }
  });

  it('has the weight layers of Table 1: 11, 11, 13, 16, 16, 19 (convolutions + 3 fully connected)', () => {
    const weightLayers = (cfg: readonly unknown[]) => cfg.filter((e) => e !== 'M' && e !== 'LRN').length + 3;
    expect(Object.fromEntries(Object.entries(cfgs).map(([k, cfg]) => [k, weightLayers(cfg)]))).toEqual({
      A: 11,
      'A-LRN': 11,
      B: 13,
      C: 16,
      D: 16,
      E: 19,
    });
    for (const cfg of Object.values(cfgs)) expect(cfg.filter((e) => e === 'M')).toHaveLength(5);
  });

  it('has the parameters torchvision counts (1000 classes)', () => {
    const params = (name: string) => model(name).summary.totals.params;
    expect(params('vgg-a')).toBe(132_863_336);
    expect(params('vgg-a-lrn')).toBe(132_863_336);
    expect(params('vgg-b')).toBe(133_047_848);
    expect(params('vgg-c')).toBe(133_638_952);
    expect(params('vgg-d')).toBe(138_357_544);
    expect(params('vgg-e')).toBe(143_667_240);
    expect(params('vgg16')).toBe(138_357_544);
    expect(params('vgg19')).toBe(143_667_240);
    for (const name of ['vgg-a', 'vgg-b', 'vgg-c', 'vgg-d', 'vgg-e']) {
      expect(model(name).summary.totals.nonTrainable).toBe(0);
    }
  });

  it('derives D by hand: 13 convolutions and 3 fully connected layers', () => {
    const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;
    const fc = (nin: number, nout: number) => nin * nout + nout;
    // biome-ignore format: one block per line
    const d =
      conv(3, 3, 64) + conv(3, 64, 64) +
      conv(3, 64, 128) + conv(3, 128, 128) +
      conv(3, 128, 256) + 2 * conv(3, 256, 256) +
      conv(3, 256, 512) + 2 * conv(3, 512, 512) +
      3 * conv(3, 512, 512) +
      fc(7 * 7 * 512, 4096) + fc(4096, 4096) + fc(4096, 1000);
    expect(d).toBe(138_357_544);
    expect(model('vgg-d').summary.totals.params).toBe(d);
  });

  it('C has 1×1 convolutions last in blocks 3, 4 and 5', () => {
    const rows = rowsOf('vgg-c');
    const trainable = (name: string) => rows.find((r) => r.name === name)?.params.trainable;
    expect(trainable('conv3_3')).toBe(256 * 256 + 256);
    expect(trainable('conv4_3')).toBe(512 * 512 + 512);
    expect(trainable('conv5_3')).toBe(512 * 512 + 512);
    expect(model('vgg-c').summary.totals.params - model('vgg-b').summary.totals.params).toBe(
      256 * 256 + 256 + 2 * (512 * 512 + 512),
    );
  });

  it('A-LRN has LRN after the first convolution, and no parameters more than A', () => {
    const rows = rowsOf('vgg-a-lrn');
    expect(rows.slice(0, 3).map((r) => [r.name, r.type])).toEqual([
      ['conv1_1', 'conv'],
      ['norm1', 'lrn'],
      ['pool1', 'pool'],
    ]);
  });

  it('BN variants: torchvision’s trainable count; running statistics are extra non-trainable weights', () => {
    // conv (with bias) → BatchNorm (γ, β trainable; running mean and variance not) → ReLU
    const channels = (cfg: readonly unknown[]) =>
      cfg.reduce<number>((sum, e) => sum + (typeof e === 'number' ? e : Array.isArray(e) ? (e[0] as number) : 0), 0);
    const cases = [
      ['vgg-a-bn', 'A', 132_863_336, 132_868_840],
      ['vgg-b-bn', 'B', 133_047_848, 133_053_736],
      ['vgg-d-bn', 'D', 138_357_544, 138_365_992],
      ['vgg-e-bn', 'E', 143_667_240, 143_678_248],
    ] as const;
    for (const [name, cfg, plain, trainable] of cases) {
      const { totals } = model(name).summary;
      expect(totals.trainable).toBe(trainable);
      expect(totals.trainable).toBe(plain + 2 * channels(cfgs[cfg]));
      expect(totals.nonTrainable).toBe(2 * channels(cfgs[cfg]));
      expect(totals.params).toBe(trainable + 2 * channels(cfgs[cfg]));
    }
    expect(model('vgg16-bn').summary.totals.nonTrainable).toBe(8448);
    expect(
      rowsOf('vgg-d-bn')
        .slice(0, 4)
        .map((r) => [r.name, r.type, r.params.trainable]),
    ).toEqual([
      ['conv1_1', 'conv', 3 * 3 * 3 * 64 + 64],
      ['bn1_1', 'batchNorm', 2 * 64],
      ['relu1_1', 'activation', 0],
      ['conv1_2', 'conv', 3 * 3 * 64 * 64 + 64],
    ]);
  });

  it('has the MACs of D and E at 224×224 (15.47 G and 19.632 G)', () => {
    expect(model('vgg-d').summary.totals.macs).toBe(15_470_264_320);
    const e = model('vgg-e').summary.totals.macs;
    expect(e).toBe(19_632_062_464);
    expect((e / 1e9).toFixed(3)).toBe('19.632');
    // BatchNorm adds no multiply–accumulates to the count
    expect(model('vgg-e-bn').summary.totals.macs).toBe(e);
  });

  it('halves the side five times: 224 → 112 → 56 → 28 → 14 → 7, then fc6 reads 25,088', () => {
    const rows = rowsOf('vgg-d');
    expect(
      ['pool1', 'pool2', 'pool3', 'pool4', 'pool5'].map((n) => rows.find((r) => r.name === n)?.outputShape),
    ).toEqual([
      [112, 112, 64],
      [56, 56, 128],
      [28, 28, 256],
      [14, 14, 512],
      [7, 7, 512],
    ]);
    expect(rows.find((r) => r.name === 'flatten')?.outputShape).toEqual([25_088]);
    expect(rows.find((r) => r.name === 'fc6')?.params.trainable).toBe(25_088 * 4096 + 4096);
    expect(model('vgg-d').summary.output).toEqual([1000]);
  });

  it('builds for CIFAR-10: 32×32×3 → 1×1×512, fc6 input 512, 10 classes', () => {
    for (const name of ['vgg11', 'vgg-a-lrn', 'vgg13', 'vgg-c', 'vgg16', 'vgg19', 'vgg16-bn']) {
      const { summary: s } = model(name, { input: [32, 32, 3], numClasses: 10 });
      expect(s.output).toEqual([10]);
      expect(s.rows.find((r) => r.name === 'pool5')?.outputShape).toEqual([1, 1, 512]);
      expect(s.rows.find((r) => r.name === 'fc6')?.params.trainable).toBe(512 * 4096 + 4096);
      expect(s.rows.find((r) => r.name === 'fc8')?.params.trainable).toBe(4096 * 10 + 10);
    }
    // D at 32×32: the 14,714,688 convolution parameters + 512→4096→4096→10
    expect(model('vgg16', { input: [32, 32, 3], numClasses: 10 }).summary.totals.params).toBe(
      14_714_688 + (512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 10 + 10),
    );
  });

  it('rejects inputs smaller than 32×32, naming the model', () => {
    expect(() => model('vgg16', { input: [31, 32, 3] })).toThrow(/vgg-d: .*32×32.*31×32×3/);
  });

  it('cites only the ILSVRC-2014 ensemble result, on D and E, and lists its deviations', () => {
    for (const { card } of vggModels) {
      expect(card.deviations.length).toBeGreaterThan(0);
      if (card.name.endsWith('-bn')) expect(card.deviations.join(' ')).toMatch(/non-trainable/);
      if (card.name === 'vgg-d' || card.name === 'vgg-e') {
        expect(card.reported).toEqual([expect.objectContaining({ metric: 'top-5 error', value: 7.3 })]);
        expect(card.reported?.[0]?.source).toMatch(/ensemble of 7/);
      } else {
        expect(card.reported).toBeUndefined();
      }
    }
  });
});
