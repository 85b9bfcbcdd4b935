/**
 * The one tsup configuration every convkit package builds with, so that a
 * change to how libraries are built (target, declarations, source maps) is
 * made here once instead of in each package's tsup.config.ts.
 *
 * `libraryConfig`: an ESM library with declarations and source maps
 * (es2022, for browsers and Node alike).
 * `nodeAppConfig`: a Node program (CLI, bench): ESM for node20, no declarations.
 * `overrides` are spread last, so a package states only what differs.
 */

/** @type {import('./tsup.d.mts').LibraryDefaults} */
const LIBRARY_DEFAULTS = {
  format: ['esm'],
  target: 'es2022',
  sourcemap: true,
  clean: true,
  // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
};

/**
 * @param {import('tsup').Options['entry']} entry
 * @param {import('tsup').Options} [overrides]
 * @returns {import('tsup').Options}
 */
export function libraryConfig(entry, overrides = {}) {
  return { ...LIBRARY_DEFAULTS, entry, ...overrides };
}

/**
 * @param {import('tsup').Options['entry']} entry
 * @param {import('tsup').Options} [overrides]
 * @returns {import('tsup').Options}
 */
export function nodeAppConfig(entry, overrides = {}) {
  return { format: ['esm'], platform: 'node', target: 'node20', sourcemap: true, clean: true, entry, ...overrides };
}
