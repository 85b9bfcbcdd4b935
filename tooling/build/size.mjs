#!/usr/bin/env node
// convkit-size <entry> --limit <bytes|NkB>
// Bundles a built entry the way an application bundler would (ESM, minified,
// every export kept), gzips it and prints the size. Exits 1 over the limit, so
// a library that outgrows its budget fails its own build.
import { parseArgs } from 'node:util';
import { measure } from './measure.mjs';

/** @param {string} text */
function parseLimit(text) {
  const match = /^(\d+(?:\.\d+)?)\s*(kb|b)?$/i.exec(text.trim());
  if (!match) throw new Error(`convkit-size: --limit must look like 10kB or 10240, received ${JSON.stringify(text)}`);
  const value = Number(match[1]);
  return match[2]?.toLowerCase() === 'kb' ? value * 1000 : value;
}

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
