import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Bundles an entry file, or source code given as `{ code, resolveDir }`, the
 * way an application bundler would: ESM, minified, tree-shaken.
 * @param {string | { code: string, resolveDir: string, conditions?: string[] }} input
 * @returns {Promise<Uint8Array>} the bundled code
 */
export async function bundle(input) {
  const source =
    typeof input === 'string'
      ? { entryPoints: [input] }
      : { stdin: { contents: input.code, resolveDir: input.resolveDir, loader: 'ts' }, conditions: input.conditions };
  const result = await build({
    ...source,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.contents ?? new Uint8Array();
}

/**
 * Minified and gzipped size of everything an entry exports.
 * @param {string} entry path to a built ESM file
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function measure(entry) {
  const code = await bundle(entry);
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}
