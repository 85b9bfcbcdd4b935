import { fromJSON, summary } from '@convkit/layers';
import { describe, expect, it } from 'vitest';
import { getModel, modelCard, modelNames } from './index.js';

// fromJSON rejects options a layer type does not declare, so every option
// the zoo writes must be declared: each model's JSON rebuilds the same model.
describe('every zoo model round-trips through JSON', () => {
  it.each(modelNames())('%s', (name) => {
    const model = getModel(name, { auxLogits: true });
    const json = model.toJSON();
    const rebuilt = fromJSON(JSON.parse(JSON.stringify(json)));
    expect(rebuilt.toJSON()).toEqual(json);
    const input = [...modelCard(name).input];
    expect(summary(rebuilt, { input }).totals).toEqual(summary(model, { input }).totals);
  });
});
