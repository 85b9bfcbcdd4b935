import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Bundles an entry file, or source code given as `{ code, resolveDir }`, the
 * way an application bundler would: minified and tree-shaken; ESM for a
 * neutral (browser-or-Node) library by default, or a Node app (`platform: 'node'`, CommonJS).
 * @param {string | { code: string, resolveDir: string, conditions?: string[] }} input
 * @param {{ platform?: 'neutral' | 'node' }} [options]
 * @returns {Promise<Uint8Array>} the bundled code
 */
export async function bundle(input, options = {}) {
  const platform = options.platform ?? 'neutral';
  const source =
    typeof input === 'string'
      ? { entryPoints: [input] }
      : { stdin: { contents: input.code, resolveDir: input.resolveDir, loader: 'ts' }, conditions: input.conditions };
  const result = await build({
    ...source,
    bundle: true,
    minify: true,
    format: platform === 'node' ? 'cjs' : 'esm',
    platform,
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
