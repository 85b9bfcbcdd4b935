import { initBackend } from '@convkit/backend';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizers.js';
import { getRecipe, recipes } from './recipes.js';
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

describe('lenet5-fast', () => {
  const fast = getRecipe('lenet5-fast');

  it("follows the closed-form warm-up and cosine over exactly the recipe's epochs", () => {
    const schedule = createSchedule(fast.schedule, fast.lr);
    // PyTorch's CosineAnnealingLR (T_max = 7, η_min = 0) at each epoch start, times a linear warm-up from 0.1 over half an epoch.
    const cosine = (e: number) => (0.1 * (1 + Math.cos((Math.PI * e) / 7))) / 2;
    const warmup = (t: number) => 0.1 + 0.9 * Math.min(1, t / 0.5);
    for (let epoch = 0; epoch < fast.epochs; epoch++)
      for (const fraction of [0, 0.25, 0.5, 0.75])
        expect(schedule.rate(epoch, fraction)).toBeCloseTo(cosine(epoch) * warmup(epoch + fraction), 12);
    expect(fast.schedule).toMatchObject({ type: 'cosine', epochs: fast.epochs });
    // The last epoch still learns (0.1 · (1 + cos 6π/7) / 2 ≈ 0.00495); the decay reaches 0 only where training stops.
    expect(schedule.rate(fast.epochs - 1)).toBeCloseTo(0.00495, 5);
  });

  it("is 7 of the paper's 20 epochs, which stays available as lenet5", () => {
    const paper = getRecipe('lenet5');
    expect(paper).toMatchObject({ epochs: 20, lr: 0.05, batchSize: 64, schedule: { type: 'piecewise' } });
    expect(fast).toMatchObject({ epochs: 7, batchSize: 128, optimizer: paper.optimizer });
    // Shifts of at most 2 pixels keep the 28×28 digit size.
    expect(fast.augment).toEqual({ randomCrop: { size: [28, 28], padding: 2 } });
  });

  it('an unknown recipe lists lenet5-fast among the known ones', () => {
    expect(() => getRecipe('lenet5-quick')).toThrow(/known: lenet5, lenet5-fast, alexnet2012/);
  });
});

describe('resnet2016', () => {
  it("puts the paper's 32k, 48k and 64k iterations at epochs, 352 iterations each (45,000 images, batch 128)", () => {
    const recipe = getRecipe('resnet2016');
    const perEpoch = Math.ceil(45_000 / recipe.batchSize);
    expect(perEpoch).toBe(352);
    const schedule = recipe.schedule.type === 'multistep' ? recipe.schedule.milestones : [];
    // Each within one epoch of the iteration count the paper gives.
    [...schedule, recipe.epochs].forEach((epoch, k) => {
      expect(Math.abs(epoch * perEpoch - ([32_000, 48_000, 64_000][k] as number))).toBeLessThan(perEpoch);
    });
    const rate = createSchedule(recipe.schedule, recipe.lr);
    expect([0, 90, 91, 135, 136, 181].map((e) => rate.rate(e))).toEqual([
      0.1,
      0.1,
      0.1 * 0.1,
      0.1 * 0.1,
      0.1 * 0.1 * 0.1,
      0.1 * 0.1 * 0.1,
    ]);
    expect(recipe).toMatchObject({
      batchSize: 128,
      lr: 0.1,
      optimizer: { type: 'sgd', momentum: 0.9, weightDecay: 0.0001 },
    });
  });
});
