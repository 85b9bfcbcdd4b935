import { baseConfig } from '@convkit/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

// Backends are process-wide state: each test file gets its own process.
export default mergeConfig(
  baseConfig,
  defineProject({ test: { name: 'backend-conformance', pool: 'forks', isolate: true } }),
);
