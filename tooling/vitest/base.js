// Plain JS so that vitest can load it from a package's config file without a
// TypeScript loader; types are in base.d.ts.
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The export condition under which every workspace package points at its
 * TypeScript source. Tests, type checks and the docs site read sibling
 * packages through it, so nothing has to be built first; published tarballs
 * drop it (see each package's `publishConfig.exports`).
 */
export const SOURCE_CONDITION = '@convkit/source';

/** The configuration every package's tests share. */
export const baseConfig = defineConfig({
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Two cores here: more workers only add contention.
    maxWorkers: 2,
    testTimeout: 30_000,
  },
});

export default baseConfig;
