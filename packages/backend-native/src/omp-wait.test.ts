import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINARY } from './addon.js';

/**
 * Loads the addon in a fresh process with libgomp told to print the settings it
 * read at start-up (OMP_DISPLAY_ENV=verbose), and reports GOMP_SPINCOUNT (how long
 * a waiting thread spins before it sleeps: 0 is passive) and what the process's
 * environment says afterwards.
 */
function loadWith(env: Record<string, string>): {
  spinCount: string | undefined;
  policyAfter: string;
  spinAfter: string;
} {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'OMP_WAIT_POLICY' && key !== 'GOMP_SPINCOUNT'),
  );
  const script = `require(${JSON.stringify(BINARY)}); const e = process.env;
    console.log('after=' + (e.OMP_WAIT_POLICY ?? 'unset') + ' spin-after=' + (e.GOMP_SPINCOUNT ?? 'unset'))`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { ...base, OMP_DISPLAY_ENV: 'verbose', ...env },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return {
    spinCount: /GOMP_SPINCOUNT = '(\d+)'/.exec(result.stderr)?.[1],
    policyAfter: /(?:^|\s)after=(\S+)/.exec(result.stdout)?.[1] ?? '',
    spinAfter: /spin-after=(\S+)/.exec(result.stdout)?.[1] ?? '',
  };
}

describe.skipIf(!existsSync(BINARY))("the addon's OpenMP threads spin briefly, then sleep", () => {
  it("spin between libgomp's floor and default when the user set no wait policy, and leave the environment as it was", () => {
    const loaded = loadWith({});
    const count = Number(loaded.spinCount);
    // The addon times pauses and asks for 0.2 ms of them, clamped to [1,000, 300,000] (libgomp's default).
    expect(count).toBeGreaterThanOrEqual(1000);
    expect(count).toBeLessThanOrEqual(300_000);
    // An x86 pause takes nanoseconds, so 0.2 ms is fewer than libgomp's default 300,000.
    if (process.arch === 'x64') expect(count).toBeLessThan(300_000);
    expect(loaded).toMatchObject({ policyAfter: 'unset', spinAfter: 'unset' });
  });

  it("keep the user's OMP_WAIT_POLICY", () => {
    expect(loadWith({ OMP_WAIT_POLICY: 'passive' })).toEqual({
      spinCount: '0',
      policyAfter: 'passive',
      spinAfter: 'unset',
    });
    expect(loadWith({ OMP_WAIT_POLICY: 'active' })).toMatchObject({ spinCount: '30000000000', policyAfter: 'active' });
  });

  it("keep the user's GOMP_SPINCOUNT", () => {
    expect(loadWith({ GOMP_SPINCOUNT: '1000' })).toEqual({
      spinCount: '1000',
      policyAfter: 'unset',
      spinAfter: '1000',
    });
  });
});
