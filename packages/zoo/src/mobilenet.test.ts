import { initBackend } from '@convkit/backend';
import { Add, BatchNorm, Conv2d, Dense, type Layer, summary, walkLayers } from '@convkit/layers';
import { runLayerTest } from '@convkit/layers/testing';
import type { TraceRow } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { summaryOf } from '../test/models.js';
import { invertedResidual, mobilenetModels } from './mobilenet.js';

const def = (name: string) => {
  const d = mobilenetModels.find((m) => m.card.name === name);
  if (!d) throw new Error(`no model ${name}`);
  return d;
};
const leaves = (model: Layer) => [...walkLayers(model)].map((v) => v.layer);
const flat = (rows: readonly TraceRow[]): TraceRow[] => rows.flatMap((r) => [r, ...(r.branches ?? []).flatMap(flat)]);

/** The paper's Table 1, by hand: `[type, kernel, input channels, filters, output side]`, 224×224×3 in. */
// biome-ignore format: one row of Table 1 per line
const TABLE_1: [kind: 'full' | 'dw' | 'pw', k: number, cin: number, cout: number, side: number][] = [
  ['full', 3, 3, 32, 112],
  ['dw', 3, 32, 32, 112],   ['pw', 1, 32, 64, 112],
  ['dw', 3, 64, 64, 56],    ['pw', 1, 64, 128, 56],
  ['dw', 3, 128, 128, 56],  ['pw', 1, 128, 128, 56],
  ['dw', 3, 128, 128, 28],  ['pw', 1, 128, 256, 28],
  ['dw', 3, 256, 256, 28],  ['pw', 1, 256, 256, 28],
  ['dw', 3, 256, 256, 14],  ['pw', 1, 256, 512, 14],
  ...Array.from({ length: 5 }, (): typeof TABLE_1 => [['dw', 3, 512, 512, 14], ['pw', 1, 512, 512, 14]]).flat(),
  ['dw', 3, 512, 512, 7],   ['pw', 1, 512, 1024, 7],
  ['dw', 3, 1024, 1024, 7], ['pw', 1, 1024, 1024, 7],
];
const depth = (kind: string, cin: number) => (kind === 'dw' ? 1 : cin);

describe('mobilenet-v1 (Howard et al. 2017, Table 1)', () => {
  it('has the paper’s 4.2 M parameters: 4,231,976 trainable, and what that count includes', () => {
    const s = summaryOf(def('mobilenet-v1'));
    const kernels = TABLE_1.reduce((a, [kind, k, cin, cout]) => a + k * k * depth(kind, cin) * cout, 0);
    const fc = 1024 * 1000 + 1000;
    const bnChannels = TABLE_1.reduce((a, [, , , cout]) => a + cout, 0);
    expect(kernels).toBe(3_185_088); // no convolution has a bias: BatchNorm follows each one
    expect(bnChannels).toBe(10_944);
    expect(s.totals.trainable).toBe(kernels + fc + 2 * bnChannels); // + γ and β
    expect(s.totals.trainable).toBe(4_231_976);
    expect(s.totals.nonTrainable).toBe(2 * bnChannels); // the running mean and variance
    expect(s.totals.params).toBe(4_253_864);
    expect(kernels + fc).toBe(4_210_088); // without BatchNorm at all
    // The paper's 4.2 M is the learned weights: with or without γ and β; with the running statistics it would be 4.25 M.
    for (const n of [kernels + fc, s.totals.trainable]) expect((n / 1e6).toFixed(1)).toBe('4.2');
  });

  it('has the paper’s 569 M mult-adds at 224: 568,740,352, convolutions and fc only', () => {
    const s = summaryOf(def('mobilenet-v1'));
    const byHand =
      TABLE_1.reduce((a, [kind, k, cin, cout, side]) => a + side * side * k * k * depth(kind, cin) * cout, 0) +
      1024 * 1000;
    expect(s.totals.macs).toBe(byHand);
    expect(s.totals.macs).toBe(568_740_352);
    expect((s.totals.macs / 1e6).toFixed(0)).toBe('569');
    // The convention: one multiply-add = 1 MAC, counted for convolutions and fc; BatchNorm, ReLU, pooling and biases count 0.
    const counted = flat(s.rows).filter((r) => r.macs > 0);
    expect(new Set(counted.map((r) => r.type))).toEqual(new Set(['conv', 'dense']));
    expect(counted).toHaveLength(28);
    // Table 2's split: depthwise 3.06%, pointwise 94.86%, fc 0.18% of the mult-adds, and the full 3×3 conv printed as
    // 1.19% — a transposition: the four shares add up to 100% only with 1.91%, which is conv1's 10,838,016 MACs.
    const share = (pick: (r: TraceRow) => boolean) =>
      (
        (100 *
          flat(s.rows)
            .filter(pick)
            .reduce((a, r) => a + r.macs, 0)) /
        s.totals.macs
      ).toFixed(2);
    expect(share((r) => r.name.startsWith('conv_dw_') && r.type === 'conv')).toBe('3.06');
    expect(share((r) => r.name.startsWith('conv_pw_') && r.type === 'conv')).toBe('94.86');
    expect(share((r) => r.name === 'conv1')).toBe('1.91');
    expect(share((r) => r.type === 'dense')).toBe('0.18');
  });

  it('has 13 depthwise convolutions (groups = channels) and Table 1’s output sides', () => {
    const model = def('mobilenet-v1').build({ numClasses: 1000, input: [224, 224, 3], auxLogits: false });
    const convs = leaves(model).filter((l): l is Conv2d => l instanceof Conv2d);
    expect(convs).toHaveLength(27);
    expect(convs.map((c) => c.config.groups ?? 1)).toEqual(TABLE_1.map(([kind, , cin]) => (kind === 'dw' ? cin : 1)));
    expect(convs.every((c) => c.config.bias === false)).toBe(true);
    const rows = flat(summary(model, { input: [224, 224, 3] }).rows).filter((r) => r.type === 'conv');
    expect(rows.map((r) => r.outputShape)).toEqual(TABLE_1.map(([, , , cout, side]) => [side, side, cout]));
  });
});

describe('mobilenet-v2 (Sandler et al. 2018, torchvision’s mobilenet_v2)', () => {
  it('has torchvision’s 3,504,872 parameters and 34,112 running statistics', () => {
    const s = summaryOf(def('mobilenet-v2'));
    expect(s.totals.trainable).toBe(3_504_872);
    expect(s.totals.nonTrainable).toBe(34_112);
    expect(s.output).toEqual([1000]);
  });

  it('has 300,774,272 MACs at 224 (the paper’s 300 M; PyTorch forward hooks on torchvision’s model count the same)', () => {
    expect(summaryOf(def('mobilenet-v2')).totals.macs).toBe(300_774_272);
  });

  it('adds the identity in the 10 blocks with stride 1 and equal widths; 17 bottlenecks in all', () => {
    const model = def('mobilenet-v2').build({ numClasses: 1000, input: [224, 224, 3], auxLogits: false });
    const adds = leaves(model).filter((l) => l instanceof Add);
    expect(adds.map((a) => a.name)).toEqual([3, 5, 6, 8, 9, 10, 12, 13, 15, 16].map((k) => `features/${k}`));
    const depthwise = leaves(model).filter((l) => l instanceof Conv2d && (l.config.groups ?? 1) > 1);
    expect(depthwise).toHaveLength(17);
  });

  it('names its weighted layers as torchvision’s modules', () => {
    const model = def('mobilenet-v2').build({ numClasses: 1000, input: [224, 224, 3], auxLogits: false });
    const names = leaves(model)
      .filter((l) => l instanceof Conv2d || l instanceof BatchNorm || l instanceof Dense)
      .map((l) => l.name.replaceAll('/', '.'));
    expect(names).toHaveLength(52 + 52 + 1);
    expect(names.slice(0, 8)).toEqual([
      'features.0.0', 'features.0.1',
      'features.1.conv.0.0', 'features.1.conv.0.1', 'features.1.conv.1', 'features.1.conv.2',
      'features.2.conv.0.0', 'features.2.conv.0.1',
    ]); // biome-ignore format: one module per entry
    expect(names.slice(-3)).toEqual(['features.18.0', 'features.18.1', 'classifier.1']);
  });
});

describe('an inverted residual block trains on cpu (depthwise backprop)', () => {
  it('passes runLayerTest: shapes, gradients to every weight, JSON round trip, no leaks', async () => {
    await initBackend('cpu');
    const report = await runLayerTest(() => invertedResidual(2, 8, 8, 1, 3), { input: [6, 6, 8] });
    expect(report.outputShape).toEqual([6, 6, 8]);
    // 3 kernels + 3 BatchNorms × (γ, β, running mean, running variance); gradients reach the 9 trainable ones,
    expect(report.weights).toHaveLength(15);
    expect(report.checkedGradients).toBe(9 * 4); // 4 elements of each, by finite differences
  }, 60_000);
});
