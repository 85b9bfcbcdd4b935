import { initBackend } from '@convkit/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizers.js';
import { recipes } from './recipes.js';
import { createSchedule } from './schedules.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('recipes', () => {
  for (const recipe of Object.values(recipes)) {
    it(`${recipe.name}: its optimizer and schedule pass the option checks`, () => {
      expect(() => createOptimizer(recipe.optimizer).dispose()).not.toThrow();
      expect(() => createSchedule(recipe.schedule, recipe.lr)).not.toThrow();
    });
  }
});
