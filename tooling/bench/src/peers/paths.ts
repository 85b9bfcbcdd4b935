import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bench package's root folder. This module runs from `src/peers/` in
 * tests and bundled into `dist/` by the build, so the root is found by the
 * last `src` or `dist` folder on the path rather than a fixed `../`.
 */
function benchRoot(): string {
  const file = fileURLToPath(import.meta.url);
  const cut = Math.max(file.lastIndexOf(`${sep}src${sep}`), file.lastIndexOf(`${sep}dist${sep}`));
  return cut > 0 ? file.slice(0, cut) : dirname(file);
}

export const BENCH_ROOT = benchRoot();

/** Where the bench installs npm peers at run time: ignored by git, never touched by `pnpm install`. */
export const PEERS_DIR = join(BENCH_ROOT, '.peers');

/** The bundled entry points (see tsup.config.ts). */
export const DIST_DIR = join(BENCH_ROOT, 'dist');
