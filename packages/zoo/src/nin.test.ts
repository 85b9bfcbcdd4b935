import { summary } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { ninModels } from './nin.js';
import type { ModelOptions } from './registry.js';

/** As `getModel` does: the card's defaults filled in. */
function model(name: string, options: ModelOptions = {}) {
  const definition = ninModels.find((d) => d.card.name === name);
  if (!definition) throw new Error(`no NiN model ${name}`);
  const { card, build } = definition;
  const input = options.input ?? card.input;
  return summary(build({ numClasses: options.numClasses ?? card.numClasses, input, auxLogits: false }), { input });
}

/** k×k convolution from cin to cout maps, with bias. */
const conv = (k: number, cin: number, cout: number) => k * k * cin * cout + cout;

describe('Network in Network (Lin, Chen, Yan 2014)', () => {
  it('nin (ImageNet, Caffe model zoo): 7,595,176 parameters, 1000 scores', () => {
    // biome-ignore format: one mlpconv per line
    const expected =
      conv(11, 3, 96) + conv(1, 96, 96) + conv(1, 96, 96) +           // mlpconv1: 34,944 + 9,312 + 9,312
      conv(5, 96, 256) + conv(1, 256, 256) + conv(1, 256, 256) +      // mlpconv2: 614,656 + 65,792 + 65,792
      conv(3, 256, 384) + conv(1, 384, 384) + conv(1, 384, 384) +     // mlpconv3: 885,120 + 147,840 + 147,840
      conv(3, 384, 1024) + conv(1, 1024, 1024) + conv(1, 1024, 1000); // mlpconv4: 3,539,968 + 1,049,600 + 1,025,000
    expect(expected).toBe(7_595_176);
    const s = model('nin');
    expect(s.totals.params).toBe(expected);
    expect(s.totals.nonTrainable).toBe(0);
    expect(s.output).toEqual([1000]);
    expect(s.totals.macs).toBe(1_100_188_800);
  });

  it('nin: 224 → 54 → 27 → 13 → 6 (Caffe rounds pooling up), global average pool of 6×6×1000', () => {
    const rows = model('nin').rows;
    const shape = (name: string) => rows.find((r) => r.name === name)?.outputShape;
    expect(shape('mlpconv1/cccp2')).toEqual([54, 54, 96]);
    expect(shape('pool1')).toEqual([27, 27, 96]);
    expect(shape('pool2')).toEqual([13, 13, 256]);
    expect(shape('pool3')).toEqual([6, 6, 384]);
    expect(shape('mlpconv4/cccp2')).toEqual([6, 6, 1000]);
    expect(shape('pool4')).toEqual([1000]);
  });

  it('nin-cifar: 966,986 parameters, 10 scores', () => {
    // biome-ignore format: one mlpconv per line
    const expected =
      conv(5, 3, 192) + conv(1, 192, 160) + conv(1, 160, 96) +     // mlpconv1: 14,592 + 30,880 + 15,456
      conv(5, 96, 192) + conv(1, 192, 192) + conv(1, 192, 192) +   // mlpconv2: 460,992 + 37,056 + 37,056
      conv(3, 192, 192) + conv(1, 192, 192) + conv(1, 192, 10); // mlpconv3: 331,968 + 37,056 + 1,930
    expect(expected).toBe(966_986);
    const s = model('nin-cifar');
    expect(s.totals.params).toBe(expected);
    expect(s.output).toEqual([10]);
    expect(s.totals.macs).toBe(222_486_528);
    const shape = (name: string) => s.rows.find((r) => r.name === name)?.outputShape;
    expect(shape('mlpconv1/cccp2')).toEqual([32, 32, 96]);
    expect(shape('pool1')).toEqual([16, 16, 96]);
    expect(shape('pool2')).toEqual([8, 8, 192]);
    expect(shape('mlpconv3/cccp2')).toEqual([8, 8, 10]);
  });

  it('the last 1×1 convolution has one map per class (no fully connected layer)', () => {
    expect(model('nin', { numClasses: 10 }).output).toEqual([10]);
    expect(model('nin-cifar', { numClasses: 100 }).output).toEqual([100]);
    expect(model('nin-cifar', { numClasses: 100 }).totals.params).toBe(966_986 - conv(1, 192, 10) + conv(1, 192, 100));
  });

  it('takes other input sizes down to the stated minimum, and rejects smaller ones', () => {
    expect(model('nin', { input: [256, 256, 3] }).rows.find((r) => r.name === 'pool3')?.outputShape).toEqual([
      7, 7, 384,
    ]);
    expect(model('nin', { input: [55, 55, 3] }).output).toEqual([1000]);
    expect(() => model('nin', { input: [54, 54, 3] })).toThrow(/nin: .*55×55/);
    expect(model('nin-cifar', { input: [6, 6, 3] }).output).toEqual([10]);
    expect(() => model('nin-cifar', { input: [5, 5, 3] })).toThrow(/nin-cifar: .*6×6/);
  });

  it('cards: the paper, its CIFAR-10 results, the deviations', () => {
    for (const { card } of ninModels) {
      expect(card.paper).toMatchObject({ title: 'Network In Network', authors: 'Lin, Chen, Yan', year: 2014 });
      expect(card.deviations.length).toBeGreaterThan(0);
    }
    const [imagenet, cifar] = ninModels;
    expect(imagenet?.card).toMatchObject({ name: 'nin', input: [224, 224, 3], numClasses: 1000 });
    expect(imagenet?.card.reported).toBeUndefined();
    expect(cifar?.card).toMatchObject({ name: 'nin-cifar', input: [32, 32, 3], numClasses: 10 });
    expect(cifar?.card.reported?.map((r) => r.value)).toEqual([10.41, 8.81]);
  });
});
