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
function loadWith(env: Record<string, string>): { spinCount: string | undefined; policyAfter: string } {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'OMP_WAIT_POLICY' && key !== 'GOMP_SPINCOUNT'),
  );
  const script = `require(${JSON.stringify(BINARY)}); console.log('after=' + (process.env.OMP_WAIT_POLICY ?? 'unset'))`;
  const result = spawnSync(process.execPath, ['-e', script], {
    env: { ...base, OMP_DISPLAY_ENV: 'verbose', ...env },
    encoding: 'utf8',
  });
  expect(result.status, result.stderr).toBe(0);
  return {
    spinCount: /GOMP_SPINCOUNT = '(\d+)'/.exec(result.stderr)?.[1],
    policyAfter: /after=(\S+)/.exec(result.stdout)?.[1] ?? '',
  };
}

describe.skipIf(!existsSync(BINARY))("the addon's OpenMP threads wait passively", () => {
  it('sleep instead of spinning when the user set no wait policy, and leave the environment as it was', () => {
    expect(loadWith({})).toEqual({ spinCount: '0', policyAfter: 'unset' });
  });

  it("keep the user's OMP_WAIT_POLICY", () => {
    expect(loadWith({ OMP_WAIT_POLICY: 'active' })).toEqual({ spinCount: '30000000000', policyAfter: 'active' });
  });

  it("keep the user's GOMP_SPINCOUNT", () => {
    expect(loadWith({ GOMP_SPINCOUNT: '1000' })).toEqual({ spinCount: '1000', policyAfter: 'unset' });
  });
});
