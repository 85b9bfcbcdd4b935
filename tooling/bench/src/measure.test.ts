import { describe, expect, it } from 'vitest';
import { measure } from './measure.js';

/** A fake clock: each run advances it by the next duration of the list (the last one repeats). */
function fakeRuns(durations: number[]) {
  let clock = 0;
  let calls = 0;
  return {
    now: () => clock,
    run: () => {
      clock += durations[Math.min(calls, durations.length - 1)] as number;
      calls++;
    },
    calls: () => calls,
  };
}

describe('measure', () => {
  it('warms up, then takes maxRuns timed runs when they fit the budget', async () => {
    const f = fakeRuns([50, 40, 10]);
    const t = await measure(f.run, { warmupRuns: 2, maxRuns: 4, budgetMs: 1_000 }, f.now);
    expect(t.warmupMs).toEqual([50, 40]);
    expect(t.samplesMs).toEqual([10, 10, 10, 10]);
  });

  it('keeps warming up until warmupMinMs has passed, within half the budget', async () => {
    const f = fakeRuns([4]);
    const t = await measure(f.run, { warmupRuns: 2, warmupMinMs: 100, maxRuns: 3, budgetMs: 1_000 }, f.now);
    expect(t.warmupMs).toHaveLength(25);
    const slow = fakeRuns([300]);
    const s = await measure(slow.run, { warmupRuns: 1, warmupMinMs: 5_000, maxRuns: 1, budgetMs: 1_000 }, slow.now);
    expect(s.warmupMs).toHaveLength(2); // 600 ms: past half the budget
  });

  it('takes more timed runs until sampleMinMs has passed, at most maxRuns', async () => {
    const f = fakeRuns([2]);
    const t = await measure(
      f.run,
      { warmupRuns: 1, minRuns: 10, sampleMinMs: 100, maxRuns: 1_000, budgetMs: 20_000 },
      f.now,
    );
    expect(t.samplesMs).toHaveLength(50); // 50 × 2 ms reach 100 ms
    const slow = fakeRuns([40]);
    const s = await measure(
      slow.run,
      { warmupRuns: 1, minRuns: 10, sampleMinMs: 100, maxRuns: 1_000, budgetMs: 20_000 },
      slow.now,
    );
    expect(s.samplesMs).toHaveLength(10); // minRuns already span 400 ms
    const capped = fakeRuns([1]);
    const c = await measure(
      capped.run,
      { warmupRuns: 1, minRuns: 2, sampleMinMs: 100, maxRuns: 30, budgetMs: 20_000 },
      capped.now,
    );
    expect(c.samplesMs).toHaveLength(30);
  });

  it('stops before the next run would go past the budget', async () => {
    const f = fakeRuns([300]);
    const t = await measure(f.run, { warmupRuns: 1, maxRuns: 10, budgetMs: 1_000 }, f.now);
    // 300 + 300 + 300 = 900; a fourth would end at 1,200.
    expect(t.samplesMs).toHaveLength(3);
  });

  it('always takes one timed run, however slow', async () => {
    const f = fakeRuns([34_000]);
    const t = await measure(f.run, { warmupRuns: 2, maxRuns: 10, budgetMs: 3_000 }, f.now);
    // The first warm-up already took more than half the budget: no second one.
    expect(t.warmupMs).toEqual([34_000]);
    expect(t.samplesMs).toEqual([34_000]);
    expect(f.calls()).toBe(2);
  });

  it('awaits asynchronous runs', async () => {
    let clock = 0;
    const run = async () => {
      await Promise.resolve();
      clock += 5;
    };
    const t = await measure(run, { warmupRuns: 1, maxRuns: 2, budgetMs: 100 }, () => clock);
    expect(t.samplesMs).toEqual([5, 5]);
  });
});
