import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/** Every `.html` file of a built site, as paths relative to its root (`guide/pooling.html`). */
export async function htmlPages(dist: string): Promise<string[]> {
  const entries = await readdir(dist, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.html'))
    .map((entry) => relative(dist, join(entry.parentPath, entry.name)))
    .sort();
}

/** The module scripts and modulepreloads a page's HTML names, as site paths (`/assets/app.x.js`). */
export function referencedScripts(html: string): string[] {
  const found = new Set<string>();
  for (const match of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) found.add(match[1] as string);
  for (const match of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g)) {
    found.add(match[1] as string);
  }
  return [...found].filter((src) => src.startsWith('/'));
}

/**
 * The static imports of a built chunk (`import{a as b}from"./x.js"`, `import"./y.js"`),
 * resolved against the chunk's own path. Dynamic `import("./z.js")` is left out:
 * it loads only when the page asks for it.
 */
export function staticImports(code: string, chunk: string): string[] {
  const found = new Set<string>();
  const pattern = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]+?\s*from\s*)?["']([^"']+\.js)["']/g;
  for (const match of code.matchAll(pattern)) {
    found.add(resolve(dirname(chunk), match[1] as string));
  }
  return [...found];
}

export interface PageWeight {
  /** The site paths of every script the page loads before any interaction. */
  files: string[];
  /** Their summed gzip size, in bytes (each file gzipped on its own, as a server sends it). */
  gzipBytes: number;
}

/**
 * What JavaScript a page ships on first load: the scripts and modulepreloads
 * its HTML names, and everything those import statically, each counted once.
 */
export async function pageWeight(dist: string, page: string, cache = new Map<string, Buffer>()): Promise<PageWeight> {
  const html = await readFile(join(dist, page), 'utf8');
  const pending = referencedScripts(html);
  const seen = new Set<string>();
  let gzipBytes = 0;
  while (pending.length > 0) {
    const path = pending.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    let code = cache.get(path);
    if (!code) {
      code = await readFile(join(dist, path));
      cache.set(path, code);
    }
    gzipBytes += gzipSync(code, { level: 9 }).length;
    pending.push(...staticImports(code.toString('utf8'), path));
  }
  return { files: [...seen].sort(), gzipBytes };
}
