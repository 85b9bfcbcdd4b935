#!/usr/bin/env node
// convkit-size <entry> --limit <bytes|NkB>
// Bundles a built entry the way an application bundler would (ESM, minified,
// every export kept), gzips it and prints the size. Exits 1 over the limit, so
// a library that outgrows its budget fails its own build.
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

/** @param {string} text */
function parseLimit(text) {
  const match = /^(\d+(?:\.\d+)?)\s*(kb|b)?$/i.exec(text.trim());
  if (!match) throw new Error(`convkit-size: --limit must look like 10kB or 10240, received ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  return match[2]?.toLowerCase() === 'kb' ? value * 1000 : value;
}

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

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('convkit-size')) {
  const { values, positionals } = parseArgs({ options: { limit: { type: 'string' } }, allowPositionals: true });
  const entry = positionals[0];
  if (!entry || !values.limit) {
    console.error('usage: convkit-size <built entry.js> --limit <bytes|NkB>');
    process.exit(2);
  }
  const limit = parseLimit(values.limit);
  const { minified, gzipped } = await measure(entry);
  const kb = (n) => `${(n / 1000).toFixed(2)} kB`;
  const verdict = gzipped <= limit ? 'within' : 'OVER';
  console.log(`size ${entry}: ${kb(minified)} minified, ${kb(gzipped)} min+gzip (${verdict} the ${kb(limit)} limit)`);
  if (gzipped > limit) process.exit(1);
}
