import { baseConfig } from '@convkit/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

export default mergeConfig(
  baseConfig,
  defineProject({
    test: {
      name: 'docs',
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      globalSetup: ['./test/site-run.setup.ts'],
    },
  }),
);
