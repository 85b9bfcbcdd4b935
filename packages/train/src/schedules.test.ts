import { describe, expect, it } from 'vitest';
import { createSchedule } from './schedules.js';

const rates = (s: ReturnType<typeof createSchedule>, epochs: number) =>
  Array.from({ length: epochs }, (_, e) => s.rate(e));

describe('schedules', () => {
  it('step: ×gamma every stepSize epochs', () => {
    const got = rates(createSchedule({ type: 'step', stepSize: 3, gamma: 0.5 }, 0.1), 7);
    expect(got.map((r) => +r.toPrecision(12))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]);
  });

  it('multistep: ×gamma at each milestone', () => {
    const got = rates(createSchedule({ type: 'multistep', milestones: [2, 5], gamma: 0.1 }, 1), 7);
    expect(got.map((r) => +r.toPrecision(12))).toEqual([1, 1, 0.1, 0.1, 0.1, 0.01, 0.01]);
  });

  it("piecewise: LeNet-5's 0.0005, 0.0002, 0.0001, 0.00005, 0.00001 over 2, 3, 3, 4 passes", () => {
    const s = createSchedule(
      { type: 'piecewise', boundaries: [2, 5, 8, 12], factors: [1, 0.4, 0.2, 0.1, 0.02] },
      0.0005,
    );
    expect(rates(s, 14).map((r) => +r.toPrecision(12))).toEqual([
      0.0005, 0.0005, 0.0002, 0.0002, 0.0002, 0.0001, 0.0001, 0.0001, 0.00005, 0.00005, 0.00005, 0.00005, 0.00001,
      0.00001,
    ]);
  });

  it('cosine: lr·(1 + cos(πe/E))/2 down to minLr', () => {
    const s = createSchedule({ type: 'cosine', epochs: 4, minLr: 0.01 }, 0.11);
    // floor + (base − floor)·(1 + cos(πe/4))/2 with base 0.11, floor 0.01
    const expected = [0, 1, 2, 3, 4, 5].map((e) => 0.01 + (0.1 * (1 + Math.cos((Math.PI * Math.min(e, 4)) / 4))) / 2);
    rates(s, 6).forEach((r, e) => {
      expect(r).toBeCloseTo(expected[e] as number, 12);
    });
    expect(s.rate(4)).toBeCloseTo(0.01, 12);
    expect(s.rate(2)).toBeCloseTo(0.06, 12);
  });

  it('warm-up: linear from startFactor·lr to lr within the warm-up epochs, per step', () => {
    const s = createSchedule({ type: 'constant', warmup: { epochs: 2, startFactor: 0 } }, 0.4);
    expect(s.rate(0, 0)).toBe(0);
    expect(s.rate(0, 0.5)).toBeCloseTo(0.1, 12);
    expect(s.rate(1, 0)).toBeCloseTo(0.2, 12);
    expect(s.rate(1, 0.5)).toBeCloseTo(0.3, 12);
    expect(s.rate(2, 0)).toBeCloseTo(0.4, 12);
    expect(s.rate(9, 0.3)).toBeCloseTo(0.4, 12);
  });

  it('plateau: ÷10 after more than `patience` epochs without improvement, with cooldown and floor', () => {
    // PyTorch ReduceLROnPlateau(factor=0.1, patience=2, cooldown=1, min_lr=1e-4, threshold=1e-4) on this loss sequence
    // gives, after each epoch's step: 1e-2 ×4, 1e-3 (epoch 4: 3rd bad epoch), 1e-3 (cooldown), 1e-3, 1e-3, 1e-4 …
    const s = createSchedule({ type: 'plateau', factor: 0.1, patience: 2, cooldown: 1, minLr: 1e-4 }, 1e-2);
    const losses = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0];
    const after = losses.map((loss) => {
      s.observe(loss);
      return +s.rate(0).toPrecision(12);
    });
    // epoch: 0 best, 1 best, 2 bad1, 3 bad2, 4 bad3 → reduce (cooldown 1), 5 cooldown eats the bad epoch, 6 bad1, 7 bad2, 8 bad3 → reduce to 1e-4,
    // 9 cooldown, 10 bad1, 11 bad2, 12 bad3 → would reduce but the floor holds at 1e-4.
    expect(after).toEqual([1e-2, 1e-2, 1e-2, 1e-2, 1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-4, 1e-4]);
  });

  it('plateau state survives a save and restore', () => {
    const a = createSchedule({ type: 'plateau', patience: 0 }, 1);
    a.observe(1);
    a.observe(2);
    const b = createSchedule({ type: 'plateau', patience: 0 }, 1);
    b.restore(JSON.parse(JSON.stringify({ ...a.state(), best: 1 })));
    b.observe(3);
    a.observe(3);
    expect(b.rate(0)).toBe(a.rate(0));
    expect(a.rate(0)).toBeCloseTo(0.01, 12);
  });

  it('rejects bad configurations, repeating the values', () => {
    expect(() => createSchedule({ type: 'step', stepSize: 0 }, 0.1)).toThrow(
      /stepSize must be a positive integer, received 0/,
    );
    expect(() => createSchedule({ type: 'multistep', milestones: [5, 3] }, 0.1)).toThrow(/\[5, 3\]/);
    expect(() => createSchedule({ type: 'plateau', factor: 2 }, 0.1)).toThrow(/factor must be in \(0, 1\), received 2/);
    expect(() => createSchedule({ type: 'constant' }, -1)).toThrow(/received -1/);
    expect(() => createSchedule({ type: 'cosine' } as never, 0.1)).toThrow(/cosine.epochs/);
  });

  it('refuses misspelt options, values of the wrong type and rates that would turn negative later', () => {
    expect(() => createSchedule({ type: 'step', stepSize: 2, gama: 0.1 } as never, 0.1)).toThrow(
      /schedule has no option "gama" \(did you mean "gamma"\?\)/,
    );
    expect(() => createSchedule({ type: 'step', stepSize: 2, gamma: 'abc' } as never, 0.1)).toThrow(
      /schedule.gamma must be a finite number, received "abc"/,
    );
    expect(() => createSchedule({ type: 'step', stepSize: 2, gamma: -0.1 }, 0.1)).toThrow(
      /step.gamma must be a positive number, received -0.1/,
    );
    expect(() => createSchedule({ type: 'multistep', milestones: [2], gamma: 0 }, 0.1)).toThrow(/multistep.gamma/);
    expect(() => createSchedule({ type: 'plateau', minLr: -1 }, 0.1)).toThrow(/plateau.minLr must be a number ≥ 0/);
    expect(() => createSchedule({ type: 'plateau', threshold: -1 }, 0.1)).toThrow(/plateau.threshold/);
    expect(() => createSchedule({ type: 'constant', warmup: { epoch: 2 } } as never, 0.1)).toThrow(
      /schedule.warmup has no option "epoch" \(did you mean "epochs"\?\)/,
    );
  });
});
