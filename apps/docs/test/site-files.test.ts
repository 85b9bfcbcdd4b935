import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { htmlPages, pageWeight, staticImports } from './site-files.js';
import { deadLinks } from './site-links.js';

/** A tiny built site on disk: path → content. */
function site(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'docs-fake-site-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('pageWeight', () => {
  it('sums the gzip sizes of the named scripts and their static imports, not the dynamic ones', async () => {
    const app = 'import{a as b}from"./chunks/theme.js";import"./chunks/framework.js";b();';
    const theme = 'import{f}from"./framework.js";export const a=()=>import("./Lazy.js").then(f);';
    const framework = 'export const f=(x)=>x;'.repeat(20);
    const lazy = 'export default 1;'.repeat(200);
    const dir = site({
      'index.html':
        '<html><head><script type="module" src="/assets/app.js"></script><link rel="modulepreload" href="/assets/chunks/theme.js"></head><body></body></html>',
      'assets/app.js': app,
      'assets/chunks/theme.js': theme,
      'assets/chunks/framework.js': framework,
      'assets/chunks/Lazy.js': lazy,
    });
    made.push(dir);
    const weight = await pageWeight(dir, 'index.html');
    expect(weight.files).toEqual(['/assets/app.js', '/assets/chunks/framework.js', '/assets/chunks/theme.js']);
    const gz = (text: string) => gzipSync(text, { level: 9 }).length;
    expect(weight.gzipBytes).toBe(gz(app) + gz(theme) + gz(framework));
    expect(await htmlPages(dir)).toEqual(['index.html']);
  });

  it('reads import and export-from statements, resolved against the chunk', () => {
    const code = 'import"./a.js";import{x}from"../b.js";export{y}from"./c.js";const z=import("./d.js");';
    expect(staticImports(code, '/assets/chunks/t.js')).toEqual([
      '/assets/chunks/a.js',
      '/assets/b.js',
      '/assets/chunks/c.js',
    ]);
  });
});

describe('deadLinks', () => {
  it('finds links to missing pages and missing ids, and passes the rest', async () => {
    const dir = site({
      'index.html':
        '<body><h2 id="top">t</h2><a href="#top">ok</a><a href="#nowhere">x</a><a href="/guide/">ok</a><a href="/guide/a#sec">ok</a><a href="/guide/a#gone">x</a><a href="/missing">x</a><a href="https://example.com/#x">ext</a><a href="/favicon.svg">asset</a></body>',
      'guide/index.html': '<body><a href="./a">ok</a><a href="../#top">ok</a></body>',
      'guide/a.html': '<body><h2 id="sec">s</h2><a href="#sec">ok</a></body>',
      'favicon.svg': '<svg/>',
    });
    made.push(dir);
    expect(await deadLinks(dir)).toEqual([
      { page: 'index.html', href: '#nowhere', reason: 'no id "nowhere" in index.html' },
      { page: 'index.html', href: '/guide/a#gone', reason: 'no id "gone" in guide/a.html' },
      { page: 'index.html', href: '/missing', reason: 'no such page' },
    ]);
  });
});
