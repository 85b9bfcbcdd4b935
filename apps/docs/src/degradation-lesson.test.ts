import { describe, expect, it } from 'vitest';
import { type DegradationData, degradation, degradationChart, finalErrors } from './degradation-lesson.js';

const epoch = (n: number, trainError: number, validationError: number) => ({
  epoch: n,
  trainError,
  validationError,
  trainLoss: 1,
  validationLoss: 1,
  seconds: 30,
});

const toy: DegradationData = {
  ...degradation,
  epochs: 2,
  runs: [
    { model: 'plain20', params: 10, seconds: 60, epochs: [epoch(1, 0.5, 0.55), epoch(2, 0.25, 0.3)] },
    { model: 'resnet20', params: 10, seconds: 90, epochs: [epoch(1, 0.4, 0.45), epoch(2, 0.2, 0.123)] },
  ],
};

describe('the degradation chart', () => {
  it('places each epoch on the plot by hand: x from the first to the last epoch, y from 0 to the next 10 % above the worst error', () => {
    const chart = degradationChart(toy, 640, 320);
    expect(chart.plot).toEqual({ left: 48, top: 12, right: 628, bottom: 284 });
    // The worst error is 55 %: the axis ends at 60 %. Epoch 1 at x = 48, epoch 2 at x = 628.
    const plainTraining = chart.curves.find((c) => c.model === 'plain20' && c.kind === 'training');
    expect(plainTraining?.points).toBe(
      `48.0,${(284 - (50 / 60) * 272).toFixed(1)} 628.0,${(284 - (25 / 60) * 272).toFixed(1)}`,
    );
    expect(chart.yTicks.map((t) => t.label)).toEqual(['0 %', '10 %', '20 %', '30 %', '40 %', '50 %', '60 %']);
    expect(chart.xTicks.map((t) => t.label)).toEqual(['1', '2']);
    expect(chart.curves.map((c) => `${c.model} ${c.kind}`)).toEqual([
      'plain20 training',
      'plain20 validation',
      'resnet20 training',
      'resnet20 validation',
    ]);
  });

  it("tables each run's last epoch in percent, one decimal", () => {
    expect(finalErrors(toy)).toEqual([
      { model: 'plain20', trainError: 25, validationError: 30, minutes: 1 },
      { model: 'resnet20', trainError: 20, validationError: 12.3, minutes: 1.5 },
    ]);
  });

  it('refuses a file without runs, saying how to make one', () => {
    expect(() => degradationChart({ ...toy, runs: [] })).toThrow(/rerun scripts\/degradation.mjs/);
  });
});

describe('the committed measurements (degradation.json)', () => {
  it('come from one finished run of the script, with its command, date, backend and load', () => {
    expect(degradation.complete).toBe(true);
    expect(degradation.command).toMatch(/^node scripts\/degradation\.mjs --backend native /);
    expect(degradation.command).toContain(
      `--train ${degradation.train} --test ${degradation.test} --epochs ${degradation.epochs}`,
    );
    expect(degradation.backend).toBe('native');
    expect(degradation.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(degradation.loadAverage.start).toHaveLength(3);
    expect(degradation.loadAverage.end).toHaveLength(3);
    for (const run of degradation.runs) {
      expect(run.epochs.map((e) => e.epoch)).toEqual(Array.from({ length: degradation.epochs }, (_, i) => i + 1));
    }
  });

  it('train the plain and residual nets of each depth with the same parameters (option A adds none), counted by hand', () => {
    // 28×28×1: bias-free 3×3 convs, BN γ and β, fc 64→10 with bias (resnet-lesson.test.ts checks the formula at
    // 32×32×3), plus BN's running mean and variance, which the script's count (summary's totals.params) includes:
    // 2 per channel of the 7 + 6 + 6 (20 layers) or 19 + 18 + 18 (56 layers) batch norms of 16, 32 and 64 channels.
    const trainable = { 20: 269_434, 56: 852_730 };
    const statistics = { 20: 2 * (7 * 16 + 6 * 32 + 6 * 64), 56: 2 * (19 * 16 + 18 * 32 + 18 * 64) };
    const byHand = { 20: trainable[20] + statistics[20], 56: trainable[56] + statistics[56] };
    const models = degradation.runs.map((r) => r.model);
    expect(models).toEqual(expect.arrayContaining(['plain20', 'resnet20']));
    for (const run of degradation.runs) {
      const depth = Number(run.model.replace(/\D+/, '')) as 20 | 56;
      expect(run.params, run.model).toBe(byHand[depth]);
    }
  });

  it("bear out what the ResNet page says of them (rerunning the script must keep this true, or the page's words change)", () => {
    const last = Object.fromEntries(finalErrors().map((r) => [r.model, r.trainError]));
    const { plain20, plain56, resnet20, resnet56 } = last as Record<string, number>;
    // "plain-56 is still near chance": within 10 points of guessing among ten classes.
    expect(plain56).toBeGreaterThan(80);
    expect(plain56).toBeGreaterThan(plain20 as number);
    // "ResNet-56 … does learn", and "both 20-layer networks are still ahead of both 56-layer ones".
    expect(resnet56).toBeLessThan(plain56 as number);
    expect(Math.max(plain20 as number, resnet20 as number)).toBeLessThan(
      Math.min(plain56 as number, resnet56 as number),
    );
  });
});
