import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import type { ImageDataset } from '@convkit/data';
import { Dense, Flatten, sequential } from '@convkit/layers';
import { type EpochRecord, fit } from '@convkit/train';
import type { EpochRecord as ChartRecord } from '@convkit/viz/charts';
import { trainingCurvesOption } from '@convkit/viz/charts';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { writeReport } from '../src/report.js';

// train owns EpochRecord and viz may not import train, so viz repeats it: the two
// must name the same fields, or fit's history would chart silently without them.
expectTypeOf<keyof ChartRecord>().toEqualTypeOf<keyof EpochRecord>();
expectTypeOf<EpochRecord>().toExtend<ChartRecord>();

/** Class = the bright row (top or bottom) of a 2×2 image: a dense layer learns it in a few epochs. */
function rows(count: number): ImageDataset {
  const images = new Uint8Array(count * 4);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    labels[n] = n % 2;
    const top = n % 2 === 0 ? 220 : 30;
    images.set([top, top - 10, 250 - top, 240 - top], n * 4);
  }
  return { images, labels, count, height: 2, width: 2, channels: 1, classes: 2 };
}

type Option = {
  yAxis: { name: string }[];
  series: { name: string; yAxisIndex: number; data: (number | null)[][] }[];
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe("trainingCurves on fit's history", () => {
  it('draws loss, error and learning rate, with epochs from 1', async () => {
    const model = sequential([new Flatten(), new Dense({ name: 'fc', units: 2 })], { name: 'tiny' });
    const { history } = await fit(model, {
      train: rows(16),
      validation: rows(8),
      epochs: 3,
      batchSize: 8,
      lr: 0.1,
      schedule: { type: 'step', stepSize: 1, gamma: 0.5 },
    });
    model.dispose();
    expect(history.map((r) => r.epoch)).toEqual([0, 1, 2]);

    const option = trainingCurvesOption(history) as unknown as Option;
    expect(option.yAxis.map((a) => a.name)).toEqual(['loss', 'error', 'learning rate']);
    const panelOf = (name: string) => option.yAxis[option.series.find((s) => s.name === name)?.yAxisIndex ?? -1]?.name;
    expect(panelOf('train top-1 error')).toBe('error');
    expect(panelOf('validation top-1 error')).toBe('error');
    expect(panelOf('validation top-5 error')).toBe('error');
    expect(panelOf('learning rate')).toBe('learning rate');
    for (const s of option.series) expect(s.data.map((point) => point[0])).toEqual([1, 2, 3]);
    // The values drawn are fit's own: lr 0.1 halved each epoch, the errors of the history.
    const values = (name: string) => option.series.find((s) => s.name === name)?.data.map((point) => point[1]);
    expect(values('learning rate')).toEqual([0.1, 0.05, 0.025]);
    expect(values('validation top-1 error')).toEqual(history.map((r) => r.validationTop1Error));
  });

  it("reads a run folder's metrics.jsonl as every version of the trainer wrote it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convkit-curves-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ model: 'lenet5', data: 'mnist', batchSize: 64 }));
    // Two lines as `convkit train` has written them since its first release (0-based epochs).
    const lines = [
      '{"epoch":0,"lr":0.01,"trainLoss":0.9,"trainTop1Error":0.3,"seconds":2,"examplesPerSecond":500,"validationLoss":0.8,"validationTop1Error":0.25,"validationTop5Error":0.05}',
      '{"epoch":1,"lr":0.005,"trainLoss":0.5,"trainTop1Error":0.2,"seconds":2,"examplesPerSecond":510,"validationLoss":0.6,"validationTop1Error":0.15,"validationTop5Error":0.02}',
    ];
    writeFileSync(join(dir, 'metrics.jsonl'), `${lines.join('\n')}\n`);
    const html = readFileSync(await writeReport(dir), 'utf8');
    for (const name of ['train loss', 'validation top-1 error', 'validation top-5 error', 'learning rate'])
      expect(html).toContain(`>${name}<`);
    expect(html).toContain('over 2 epochs (1 to 2)');
  });
});
