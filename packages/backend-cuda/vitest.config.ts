import { baseConfig } from '@convkit/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

// Backends are process-wide state: each test file gets its own process. The
// global setup builds the opt-in CPU emulator first where it is missing, so
// the CUDA kernel tests run on machines without a GPU (CI) instead of skipping.
export default mergeConfig(
  baseConfig,
  defineProject({
    test: { name: 'backend-cuda', pool: 'forks', isolate: true, globalSetup: ['./vitest.setup.ts'] },
  }),
);
