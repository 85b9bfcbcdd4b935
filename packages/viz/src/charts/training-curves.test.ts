import { describe, expect, it } from 'vitest';
import { inspectSvg } from '../../test/svg.js';
import { parseXml } from '../../test/xml.js';
import { trainingCurves } from './training-curves.js';

const history = [1, 2, 3, 4, 5, 6].map((epoch) => ({
  epoch,
  trainLoss: 2 / epoch,
  validationLoss: 2.2 / epoch,
  top1Error: 0.5 / epoch,
  ...(epoch % 2 === 0 ? { top5Error: 0.2 / epoch } : {}),
  lr: 0.1 / 10 ** Math.floor(epoch / 3),
}));

describe('the XML checker used by the chart tests', () => {
  it('rejects what is not well-formed', () => {
    expect(() => parseXml('<svg><g></svg>')).toThrow(/closes <g>/);
    expect(() => parseXml('<svg a="1" a="2"/>')).toThrow(/duplicate attribute/);
    expect(() => parseXml('<svg>a & b</svg>')).toThrow(/bad entity/);
    expect(() => parseXml('<svg x=1/>')).toThrow(/unquoted/);
    expect(parseXml('<svg><![CDATA[ <x> ]]><g/></svg>').children).toHaveLength(1);
  });
});

describe('trainingCurves', () => {
  it('is well-formed, accessible SVG with one series per metric and one point per epoch that has it', () => {
    const svg = inspectSvg(trainingCurves(history));
    expect(svg.root.name).toBe('svg');
    expect(svg.root.attributes).toMatchObject({ role: 'img', 'aria-label': 'Training curves' });
    expect(svg.title).toBe('Training curves');
    expect(svg.desc).toBe(
      'Line chart of train loss, validation loss, top-1 error, top-5 error, learning rate over 6 epochs (1 to 6).',
    );
    for (const name of ['train loss', 'validation loss', 'top-1 error', 'top-5 error', 'learning rate', 'epoch']) {
      expect(svg.texts).toContain(name);
    }
    expect(svg.pointsPerSeries()).toEqual([6, 6, 6, 3, 6]);
  });

  it('draws only the panels it has data for, and uses Okabe–Ito colours', () => {
    const raw = trainingCurves([
      { epoch: 0, trainLoss: 1 },
      { epoch: 1, trainLoss: 0.5 },
    ]);
    const svg = inspectSvg(raw);
    expect(svg.pointsPerSeries()).toEqual([2]);
    expect(svg.texts).not.toContain('error');
    expect(raw).toContain('#0072B2');
    expect(svg.root.attributes.height).toBe(String(90 + 260));
  });

  it('explains empty input', () => {
    expect(() => trainingCurves([])).toThrow(/trainingCurves: needs at least one epoch record, received \[\]/);
    expect(() => trainingCurves([{ epoch: 1 }])).toThrow(/no metric to draw in 1 records/);
  });
});
