import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as browser from './browser.js';
import * as node from './index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module specifier in a source file (imports and re-exports). */
const specifiers = (file: string) =>
  [...readFileSync(join(here, file), 'utf8').matchAll(/(?:from|import)\s+'([^']+)'/g)].map((m) => m[1] as string);

describe('the browser entry', () => {
  it('reaches no node:* module and no Node-only file, however deep', () => {
    const seen = new Set<string>();
    const outside: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of specifiers(file)) {
        if (spec.startsWith('./')) visit(spec.slice(2).replace(/\.js$/, '.ts'));
        else outside.push(`${file} → ${spec}`);
      }
    };
    visit('browser.ts');
    expect(seen.has('stream.ts') && seen.has('augment.ts') && seen.has('decode.ts')).toBe(true);
    for (const edge of outside) expect(edge).not.toMatch(/→ node:|→ (fs|path|zlib|os|module)$/);
    expect([...seen].filter((f) => /node|folder|mnist/.test(f))).toEqual([]);
  });

  it('exports a subset of the Node entry, the same values', () => {
    const all = new Map(Object.entries(node));
    for (const [name, value] of Object.entries(browser)) expect(all.get(name)).toBe(value);
    expect(Object.keys(node)).toEqual(expect.arrayContaining(['loadImageFolder', 'openIdxSource', 'openCifarSource']));
    expect(Object.keys(browser)).not.toContain('loadImageFolder');
  });
});
