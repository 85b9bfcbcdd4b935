import { mulberry32 } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { SEPARABLE_DEFAULTS, separableCost, trySeparableCost } from './efficient.js';
import { EFFICIENT_PAPERS, paperRows } from './efficient-papers.js';

describe('depthwise separable cost', () => {
  it("counts MobileNet's 14×14×512 layer by hand: k²·cin·cout·h·w against k²·cin·h·w + cin·cout·h·w", () => {
    const c = separableCost(SEPARABLE_DEFAULTS);
    expect(c.standard).toEqual({ macs: 9 * 512 * 512 * 14 * 14, params: 9 * 512 * 512 });
    expect(c.standard.macs).toBe(462_422_016);
    expect(c.depthwise).toEqual({ macs: 903_168, params: 4_608 });
    expect(c.pointwise).toEqual({ macs: 51_380_224, params: 262_144 });
    expect(c.separable.macs).toBe(52_283_392);
    expect(c.text.standard).toBe('3²·512·512·14·14 = 462,422,016');
    expect(c.text.ratio).toBe('1/512 + 1/3² = 0.1131');
  });

  it('equals the closed form 1/cout + 1/k² for any geometry (non-square kernels aside)', () => {
    const random = mulberry32(7);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    for (let i = 0; i < 200; i++) {
      const input = {
        kernel: pick(1, 7),
        inChannels: pick(1, 1024),
        outChannels: pick(1, 1024),
        height: pick(1, 112),
        width: pick(1, 112),
      };
      const c = separableCost(input);
      expect(c.ratio).toBeCloseTo(1 / input.outChannels + 1 / input.kernel ** 2, 12);
      expect(c.formulaRatio).toBeCloseTo(c.ratio, 12);
    }
  });

  it("reports the library's error for geometry that cannot exist, naming the layer and the value", () => {
    const r = trySeparableCost({ ...SEPARABLE_DEFAULTS, inChannels: 0 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/standard conv.*inChannels.*0/);
    const h = trySeparableCost({ ...SEPARABLE_DEFAULTS, height: 2.5 });
    if (!h.ok) expect(h.error).toMatch(/2\.5/);
    expect(h.ok).toBe(false);
  });
});

describe("the efficient networks' papers", () => {
  const rows = paperRows();

  it("computes the zoo's parameters equal to torchvision 0.14's counts (PyTorch's num_params)", () => {
    const compared = rows.filter((r) => r.torchvision && r.computed);
    expect(compared.length).toBeGreaterThan(0);
    for (const r of compared) expect(r.computed?.params, r.model).toBe(r.torchvision?.params);
  });

  it("prints each paper's figures as the paper does, with its table", () => {
    const mobilenet = rows.find((r) => r.model.startsWith('MobileNet v1'));
    expect(mobilenet?.printed).toEqual({ top1: '70.6', params: '4.2 M', macs: '569 M' });
    expect(rows.find((r) => r.model === 'MobileNet v2 1.0')?.printed.top1).toBe('72.0');
    expect(rows.find((r) => r.model === 'DenseNet-121')?.printed.top1).toBe('74.98');
    expect(rows.find((r) => r.model === 'SqueezeNet 1.1')?.printed.top1).toBe('—');
    expect(rows.find((r) => r.model.startsWith('VGG-16'))?.printed.macs).toBe('15,300 M');
    for (const entry of EFFICIENT_PAPERS) expect(entry.source.length, entry.model).toBeGreaterThan(0);
  });

  it("computes VGG-16's multiply-adds near the 15,300 M MobileNet's table prints", () => {
    const vgg = rows.find((r) => r.model.startsWith('VGG-16'));
    expect(vgg?.computed?.macs).toBe(15_470_264_320);
  });

  it('throws for an entry naming a model the zoo lacks, rather than dropping the row', () => {
    expect(() =>
      paperRows([{ model: 'x', paper: 'p', year: 2000, source: 's', top1: 1, zoo: 'no-such-model' }]),
    ).toThrow(/no-such-model/);
  });
});
