import { describe, expect, it } from 'vitest';
import { python, runPython } from '../../test/python.js';
import { recipes } from '../recipes.js';
import { createSchedule, type ScheduleConfig } from '../schedules.js';
import { SCHEDULE_PY } from './schedule-py.js';

const BATCHES = 7;
// A validation loss per epoch that improves, stalls and improves again, so plateau schedules cut the rate.
const losses = (epochs: number) =>
  Array.from({ length: epochs }, (_, e) => (e < 6 ? 2 - 0.2 * e : 0.8 + 0.01 * (e % 3)));

const cases: { name: string; schedule: ScheduleConfig; lr: number; epochs: number }[] = [
  ...Object.values(recipes).map((r) => ({
    name: r.name,
    schedule: r.schedule,
    lr: r.lr,
    epochs: Math.min(r.epochs, 40),
  })),
  { name: 'constant', schedule: { type: 'constant' }, lr: 0.1, epochs: 3 },
  { name: 'multistep', schedule: { type: 'multistep', milestones: [2, 5], gamma: 0.5 }, lr: 0.1, epochs: 8 },
  {
    name: 'cosine + warm-up',
    schedule: { type: 'cosine', epochs: 10, minLr: 0.001, warmup: { epochs: 2, startFactor: 0.25 } },
    lr: 0.1,
    epochs: 12,
  },
  {
    name: 'plateau with cooldown',
    schedule: { type: 'plateau', factor: 0.5, patience: 1, cooldown: 2, minLr: 0.01, threshold: 0.001 },
    lr: 0.1,
    epochs: 20,
  },
  { name: 'step + warm-up', schedule: { type: 'step', stepSize: 3, warmup: { epochs: 1 } }, lr: 0.05, epochs: 9 },
];

/** convkit's rate at every step of every epoch, telling the schedule each epoch's loss as fit does. */
function convkitRates(schedule: ScheduleConfig, lr: number, epochs: number): number[] {
  const s = createSchedule(schedule, lr);
  const rates: number[] = [];
  losses(epochs).forEach((loss, epoch) => {
    for (let b = 0; b < BATCHES; b++) rates.push(s.rate(epoch, b / BATCHES));
    rates.push(s.rate(epoch));
    s.observe(loss);
  });
  return rates;
}

describe.skipIf(!python)("train.py's schedule", () => {
  it('gives createSchedule’s rate at every step, for every recipe and each schedule type', () => {
    const table = runPython(`import json, math\n${SCHEDULE_PY}
cases = json.loads(${JSON.stringify(JSON.stringify(cases.map((c) => ({ ...c, losses: losses(c.epochs) }))))})
out = []
for c in cases:
    s = Schedule(c['schedule'], c['lr'])
    rates = []
    for epoch, loss in enumerate(c['losses']):
        rates += [s.rate(epoch, b / ${BATCHES}) for b in range(${BATCHES})] + [s.rate(epoch)]
        s.observe(loss)
    out.append(rates)
print(json.dumps(out))`) as number[][];
    cases.forEach(({ name, schedule, lr, epochs }, i) => {
      const expected = convkitRates(schedule, lr, epochs);
      const got = table[i] as number[];
      expect(got.length, name).toBe(expected.length);
      for (const [k, rate] of got.entries()) expect(rate, `${name}, step ${k}`).toBeCloseTo(expected[k] as number, 15);
    });
    // The plateau case really cut the rate, so the comparison covers its state machine.
    const plateau = table.at(-2) as number[];
    expect(Math.min(...plateau)).toBeLessThan(0.1);
  });
});
