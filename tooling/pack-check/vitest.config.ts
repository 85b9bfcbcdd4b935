import { baseConfig } from '@convkit/vitest-config';
import { defineProject, mergeConfig } from 'vitest/config';

export default mergeConfig(baseConfig, defineProject({ test: { name: 'pack-check', testTimeout: 180_000 } }));
