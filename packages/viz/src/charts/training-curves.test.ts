import { describe, expect, it } from 'vitest';
import { inspectSvg } from '../../test/svg.js';
import { parseXml } from '../../test/xml.js';
import { trainingCurves, trainingCurvesOption } from './training-curves.js';

// 0-based epochs, as fit reports them.
const history = [0, 1, 2, 3, 4, 5].map((epoch) => ({
  epoch,
  trainLoss: 2 / (epoch + 1),
  trainTop1Error: 0.4 / (epoch + 1),
  validationLoss: 2.2 / (epoch + 1),
  validationTop1Error: 0.5 / (epoch + 1),
  ...(epoch % 2 === 1 ? { validationTop5Error: 0.2 / (epoch + 1) } : {}),
  lr: 0.1 / 10 ** Math.floor((epoch + 1) / 3),
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
      'Line chart of train loss, validation loss, train top-1 error, validation top-1 error, validation top-5 error, learning rate over 6 epochs (1 to 6).',
    );
    const names = ['train loss', 'validation loss', 'train top-1 error', 'validation top-1 error'];
    for (const name of [...names, 'validation top-5 error', 'learning rate', 'epoch']) {
      expect(svg.texts).toContain(name);
    }
    expect(svg.pointsPerSeries()).toEqual([6, 6, 6, 6, 3, 6]);
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

  it('draws each record where its epoch ends: epoch 0 (the first) at x = 1', () => {
    const option = trainingCurvesOption(history) as { series: { name: string; data: (number | null)[][] }[] };
    const x = (name: string) => option.series.find((s) => s.name === name)?.data.map((point) => point[0]);
    expect(x('train loss')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(x('validation top-5 error')).toEqual([2, 4, 6]);
    // The values are the records' own, unchanged: epoch 2 (x = 3) has 0.4 / 3.
    expect(option.series.find((s) => s.name === 'train top-1 error')?.data[2]).toEqual([3, 0.4 / 3]);
  });

  it('explains empty input', () => {
    expect(() => trainingCurves([])).toThrow(/trainingCurves: needs at least one epoch record, received \[\]/);
    expect(() => trainingCurves([{ epoch: 1, seconds: 3 }])).toThrow(/no metric to draw in 1 records/);
  });
});
