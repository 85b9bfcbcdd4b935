import { describe, expect, it } from 'vitest';
import { browserReachableFiles, syncReads, syncReadsInBrowserCode } from './sync-reads.js';

describe('no synchronous reads in browser-reachable code', () => {
  it('finds each sync read call in a snippet, with its line, and ignores look-alikes', () => {
    const snippet = [
      'const a = await t.data();',
      'const b = t.dataSync();',
      'const c = x.arraySync() as number[][]; const d = y.bufferSync ();',
      "if (typeof (x as tf.Tensor).dataSync === 'function') {}",
      'const dataSyncCount = 1;',
    ].join('\n');
    expect(syncReads(snippet)).toEqual(['2: dataSync', '3: arraySync', '3: bufferSync']);
    expect(syncReads('const v = await t.array();')).toEqual([]);
  });

  it('scans the packages, the docs sources and the site theme, but not tests or Node-only code', () => {
    const files = browserReachableFiles();
    expect(files).toContain('packages/viz/src/filters.ts');
    expect(files).toContain('apps/docs/src/compute.ts');
    expect(files.some((file) => file.startsWith('apps/docs/.vitepress/') && file.endsWith('.vue'))).toBe(true);
    expect(files.some((file) => file.endsWith('.test.ts'))).toBe(false);
    // A native addon never loads in a browser; `./node` entries are never resolved by one.
    expect(files.some((file) => file.startsWith('packages/backend-native/'))).toBe(false);
    expect(files).not.toContain('packages/io/src/node.ts');
  });

  it('finds no sync read in browser-reachable code', () => {
    expect(syncReadsInBrowserCode()).toEqual([]);
  });
});
