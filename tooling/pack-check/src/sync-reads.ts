import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './workspace.js';

// CONTRIBUTING.md's "no dataSync() in code a browser can reach", made checkable. On WebGPU a synchronous read
// stalls the page (and breaks the device when the page keeps drawing), so browser-reachable code reads with
// `await t.data()` / `await t.array()`.
//
// The rule: a call `dataSync(`, `arraySync(` or `bufferSync(` (comments included: a JSDoc example is code users
// copy) in a non-test `.ts` or `.vue` file under packages/*/src, apps/docs/src or apps/docs/.vitepress, except
// - the Node-only packages (NODE_ONLY_PACKAGES): a native addon never loads in a browser;
// - each package's `node` entry file (the "@convkit/source" target of its "./node" export): browsers resolve
//   the main entry, never that one. Helpers it imports are NOT exempt: put Node-only reads in the entry itself.
// Test files (`*.test.ts`) and `testing` helpers run in Node only.

/** Packages that hold a Node addon and so never run in a browser. */
export const NODE_ONLY_PACKAGES = ['backend-native', 'backend-cuda'];

const SYNC_READ = /\b(dataSync|arraySync|bufferSync)\s*\(/g;

/** The synchronous reads in a file's text, as `line: call` (1-based lines). */
export function syncReads(text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const match of line.matchAll(SYNC_READ)) found.push(`${i + 1}: ${match[1]}`);
  });
  return found;
}

function isTestFile(file: string): boolean {
  return /\.test\.ts$/.test(file) || /(^|\/)testing(\/|\.ts$)/.test(file);
}

function collect(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'cache' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) collect(path, out);
    else if (/\.(ts|vue)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
}

/** The `node` entry file of a package (relative to the root), if its package.json exports one. */
function nodeEntry(pkg: string): string | undefined {
  const json = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  const node = json.exports?.['./node'] as Record<string, string> | undefined;
  const source = node?.['@convkit/source'];
  return source ? join('packages', pkg, source).split('\\').join('/') : undefined;
}

/** Every file the rule applies to, relative to the root, sorted. */
export function browserReachableFiles(): string[] {
  const files: string[] = [];
  const exempt = new Set<string>();
  for (const entry of readdirSync(join(ROOT, 'packages'), { withFileTypes: true })) {
    if (!entry.isDirectory() || NODE_ONLY_PACKAGES.includes(entry.name)) continue;
    if (!existsSync(join(ROOT, 'packages', entry.name, 'package.json'))) continue;
    collect(join(ROOT, 'packages', entry.name, 'src'), files);
    const node = nodeEntry(entry.name);
    if (node) exempt.add(node);
  }
  collect(join(ROOT, 'apps/docs/src'), files);
  collect(join(ROOT, 'apps/docs/.vitepress'), files);
  return files
    .map((file) => relative(ROOT, file).split('\\').join('/'))
    .filter((file) => !isTestFile(file) && !exempt.has(file))
    .sort();
}

/** `file:line: call` for every synchronous read in browser-reachable code. */
export function syncReadsInBrowserCode(): string[] {
  return browserReachableFiles().flatMap((file) =>
    syncReads(readFileSync(join(ROOT, file), 'utf8')).map((hit) => `${file}:${hit}`),
  );
}
