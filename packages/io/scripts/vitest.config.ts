import { baseConfig } from '@convkit/vitest-config';
import { defineProject } from 'vitest/config';

/** The PyTorch comparison runner: `pnpm compare:torchvision` (not part of `pnpm test`, whose files it replaces). */
export default defineProject({
  ...baseConfig,
  test: {
    ...baseConfig.test,
    name: 'io-torchvision-compare',
    include: ['scripts/*.run.ts'],
    pool: 'forks',
    testTimeout: 600_000,
  },
});
