/**
 * The built site's weight and finish: every page's first-load JavaScript
 * (gzipped) stays within its budget, every internal link and anchor has a
 * target, a favicon is served, and every page opens in headless chromium
 * with nothing on the console — a junk `#state` hash included. Checks the
 * test run's one build (site-build.ts), or DOCS_SITE_DIST, a finished build. Without chromium the browser part is skipped, except in CI.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDom, findChromium, textOf } from './chromium.js';
import { serveStatic } from './serve.js';
import { builtSite } from './site-build.js';
import { htmlPages, pageWeight } from './site-files.js';
import { deadLinks } from './site-links.js';

const chromium = findChromium();
const inCI = Boolean(process.env.CI);

/**
 * First-load budgets in KB of gzipped JavaScript, first match wins. Measured
 * on the build of Dec 2026: ~63 KB on pages whose Markdown imports nothing
 * (VitePress's framework and theme, the page's own chunk), ~121–125 KB on
 * course pages whose `<script setup>` computes with @convkit/zoo at load
 * (home page 123 KB). The demos' code (tfjs-core, ECharts, the playground)
 * loads only when a page renders them, so it is not first-load weight.
 */
const BUDGETS_KB: [RegExp, number][] = [
  [/^index\.html$/, 150],
  [/^(guide|architectures)\//, 150],
  [/./, 80],
];

const budgetOf = (page: string) => (BUDGETS_KB.find(([pattern]) => pattern.test(page)) as [RegExp, number])[1];

/** The clean URL VitePress serves a built file at: `guide/index.html` → `/guide/`, `guide/pooling.html` → `/guide/pooling`. */
const urlOf = (page: string) => `/${page.replace(/(^|\/)index\.html$/, '$1').replace(/\.html$/, '')}`;

describe('the built site: weight, links, favicon', () => {
  let dist = process.env.DOCS_SITE_DIST ?? '';

  beforeAll(async () => {
    if (!dist) dist = await builtSite();
  }, 600_000);

  it('ships each page within its budget of first-load JavaScript (gzipped)', { timeout: 120_000 }, async () => {
    const cache = new Map<string, Buffer>();
    const over: string[] = [];
    const lines: string[] = [];
    for (const page of await htmlPages(dist)) {
      const { gzipBytes, files } = await pageWeight(dist, page, cache);
      const kb = gzipBytes / 1024;
      lines.push(`${kb.toFixed(1).padStart(7)} KB / ${budgetOf(page)} KB  ${page} (${files.length} scripts)`);
      if (kb > budgetOf(page)) over.push(`${page}: ${kb.toFixed(1)} KB > ${budgetOf(page)} KB (${files.join(', ')})`);
    }
    process.stdout.write(`first-load JavaScript per page, gzipped:\n${lines.join('\n')}\n`);
    expect(lines.length).toBeGreaterThan(40);
    expect(over).toEqual([]);
  });

  // Parses every page (the API reference is most of them): ~35 s with chromium busy beside it.
  it('has a target for every internal link and anchor, the API reference included', { timeout: 240_000 }, async () => {
    const dead = await deadLinks(dist);
    expect(dead.map((d) => `${d.page}: ${d.href} (${d.reason})`)).toEqual([]);
  });

  it('serves a favicon and names it on every page', async () => {
    expect(existsSync(join(dist, 'favicon.ico'))).toBe(true);
    expect(readFileSync(join(dist, 'favicon.svg'), 'utf8')).toMatch(/^<svg /);
    for (const page of await htmlPages(dist)) {
      expect(readFileSync(join(dist, page), 'utf8'), page).toMatch(/<link rel="icon" href="\/favicon\.svg"/);
    }
  });

  describe.skipIf(!chromium && !inCI)('in chromium', () => {
    let server: Awaited<ReturnType<typeof serveStatic>> | undefined;

    beforeAll(async () => {
      server = await serveStatic(dist);
    });

    afterAll(async () => {
      await server?.close();
    });

    async function open(path: string) {
      if (!chromium)
        throw new Error('CI needs chromium for the docs site test: .ci/run installs Debian’s chromium package');
      return dumpDom(chromium, `${server?.url}${path}`, { budgetMs: 5_000 });
    }

    it('opens every page with nothing on the console', { timeout: 900_000 }, async () => {
      const noisy: string[] = [];
      const queue = (await htmlPages(dist)).filter((p) => p !== '404.html');
      // Two browsers at a time: each page mostly waits on its virtual-time budget.
      const worker = async () => {
        for (let page = queue.shift(); page !== undefined; page = queue.shift()) {
          const { console } = await open(urlOf(page));
          if (console.length > 0) noisy.push(`${urlOf(page)}: ${console.join(' | ')}`);
        }
      };
      await Promise.all([worker(), worker()]);
      expect(noisy.sort()).toEqual([]);
    });

    it('says a junk #state hash was not used, without a URIError', { timeout: 120_000 }, async () => {
      const page = await open('/playground/shape#state=%E0%A4%A');
      expect(page.console).toEqual([]);
      expect(textOf(page.dom)).toContain(
        'The shared state in this link was not used: the state is not base64url-encoded',
      );
      expect(page.dom).toMatch(/class="ck-output-size">55</);
    });
  });
});
