import { Conv2d, Dense, Flatten, MaxPool2d, sequential, summary } from '@convkit/layers';
import { trace } from '@convkit/shape';
import { describe, expect, it } from 'vitest';
import { elements, parseXml, textOf } from '../test/xml.js';
import { architectureSvg } from './architecture.js';

const lenet = () =>
  sequential(
    [
      new Conv2d({ filters: 6, kernel: 5, activation: 'relu', name: 'c1' }),
      new MaxPool2d({ kernel: 2, name: 's2' }),
      new Conv2d({ filters: 16, kernel: 5, activation: 'relu', name: 'c3' }),
      new MaxPool2d({ kernel: 2, name: 's4' }),
      new Flatten({ name: 'flatten' }),
      new Dense({ units: 120, activation: 'relu', name: 'f5' }),
      new Dense({ units: 84, activation: 'relu', name: 'f6' }),
      new Dense({ units: 10, name: 'output' }),
    ],
    { name: 'lenet5' },
  );

describe('architectureSvg', () => {
  it('draws the input and one box per summary row, with output shapes and parameter counts', () => {
    const svg = architectureSvg(summary(lenet(), { input: [32, 32, 1] }), { title: 'LeNet-5 <modern>' });
    const root = parseXml(svg);
    expect(root.attributes).toMatchObject({ role: 'img', 'aria-label': 'LeNet-5 <modern>' });
    const boxes = elements(root).filter((e) => e.attributes.class === 'layer');
    expect(boxes.map((b) => b.attributes['data-layer'])).toEqual([
      'input',
      'c1',
      's2',
      'c3',
      's4',
      'flatten',
      'f5',
      'f6',
      'output',
    ]);
    const lines = (i: number) => (boxes[i]?.children ?? []).filter((c) => c.name === 'text').map(textOf);
    expect(lines(0)).toEqual(['input', '32×32×1']);
    expect(lines(1)).toEqual(['c1 · conv', '28×28×6 · 156 params · 117.60 kMACs']);
    expect(lines(6)).toEqual(['f5 · dense', '120 · 48,120 params · 48.00 kMACs']);
    expect(textOf(root)).toContain('61,706 parameters');
    // Wider boxes for bigger outputs: c1 (4,704 values) is wider than output (10).
    const widths = boxes.map((b) => Number(b.children.find((c) => c.name === 'rect')?.attributes.width));
    expect(widths[1]).toBeGreaterThan(widths[8] as number);
    expect(elements(root).filter((e) => e.name === 'line')).toHaveLength(8);
  });

  it("draws a custom spec's declared kind, shape, parameters and MACs like any layer's", () => {
    // An SE gate on 8×8×16, ratio 4: 148 parameters, 64 + 64 + 8·8·16 = 1,152 MACs.
    const gate = {
      type: 'custom',
      kind: 'squeezeExcite',
      name: 'se',
      output: [8, 8, 16],
      params: { trainable: 148 },
      macs: 1152,
    } as const;
    const root = parseXml(architectureSvg(trace([8, 8, 16], [gate])));
    const box = elements(root).find((e) => e.attributes['data-layer'] === 'se');
    expect((box?.children ?? []).filter((c) => c.name === 'text').map(textOf)).toEqual([
      'se · squeezeExcite',
      '8×8×16 · 148 params · 1.15 kMACs',
    ]);
  });

  it('needs a summary', () => {
    expect(() => architectureSvg(undefined as never)).toThrow(/needs summary\(model, \{ input \}\)/);
  });
});
