import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The whole-repository test run (`pnpm test`): every package's own vitest
 * config as one project, in one process pool, with one summary at the end.
 */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'tooling/*/vitest.config.ts'],
    reporters: ['default', fileURLToPath(new URL('./summary-reporter.ts', import.meta.url))],
    maxWorkers: 2,
  },
});
