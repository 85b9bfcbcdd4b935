import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * Minified and gzipped size of everything an entry exports.
 * @param {string} entry path to a built ESM file
 * @returns {Promise<{ minified: number, gzipped: number }>}
 */
export async function measure(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength };
}
