import { getRecipe } from '@convkit/train';
import { describe, expect, it } from 'vitest';
import { datasets, knobRows, type Measurements, measurements, recipeField } from './recipe-lesson.js';

const alexnet = getRecipe('alexnet2012');

describe('training recipes lesson', () => {
  it("reads each knob's value from @convkit/train's recipe, not a copy", () => {
    expect(recipeField(alexnet, 'optimizer.momentum')).toBe('0.9');
    expect(recipeField(alexnet, 'optimizer.weightDecay')).toBe('0.0005');
    expect(recipeField(alexnet, 'batchSize')).toBe('128');
    expect(recipeField(alexnet, 'augment.flip')).toBe('true');
    expect(recipeField(alexnet, '')).toBe('alexnet2012');
    expect(() => recipeField(alexnet, 'optimizer.nesterov')).toThrow(/no field "optimizer.nesterov"/);
  });

  it('the committed measurements name a field of the recipe for every knob, on both data sets', () => {
    expect(measurements.recipe).toBe('alexnet2012');
    expect(datasets()).toEqual(['mnist', 'fashion-mnist']);
    const rows = knobRows();
    expect(rows.map((r) => r.knob)).toEqual([
      'recipe',
      'momentum',
      'weight decay',
      'learning rate',
      '÷10 on plateau',
      'batch size',
      'dropout',
      'flips',
      'crops',
    ]);
    for (const row of rows) expect(Object.keys(row.errors)).toEqual(['mnist', 'fashion-mnist']);
    // Each run is short: the brief's budget is about 30 s a run on native.
    for (const r of measurements.rows) expect(r.seconds).toBeLessThan(45);
  });

  it('rounds errors to 0.1 % and measures each change from the same data set’s recipe run', () => {
    const data: Measurements = {
      ...measurements,
      rows: [
        {
          dataset: 'a',
          knob: 'recipe',
          field: '',
          change: {},
          validationTop1Error: 0.1234,
          trainLoss: 1,
          finalLr: 0.01,
          seconds: 1,
        },
        {
          dataset: 'a',
          knob: 'dropout',
          field: 'dropout',
          change: { dropout: 0 },
          validationTop1Error: 0.1,
          trainLoss: 1,
          finalLr: 0.01,
          seconds: 1,
        },
      ],
    };
    const [base, dropout] = knobRows(data);
    expect(base?.errors.a).toEqual({ error: 12.3, delta: 0 });
    expect(dropout).toMatchObject({
      recipeValue: '0.5',
      change: 'dropout 0',
      errors: { a: { error: 10, delta: -2.3 } },
    });
  });

  it('names a data set without a recipe run', () => {
    const row = measurements.rows.find((r) => r.knob === 'momentum');
    expect(() => knobRows({ ...measurements, rows: row ? [row] : [] })).toThrow(/no recipe run for mnist/);
  });
});
