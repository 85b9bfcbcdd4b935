/**
 * wasm on threads in the built site, in headless chromium. Served as
 * `pnpm preview` serves it (scripts/serve.mjs: the COOP/COEP headers that
 * dist/_headers also ships), the page is cross-origin isolated and loads
 * nothing from another origin; the playground's backend line says wasm runs
 * on a thread per core the browser reports; the short run (320 digits, one
 * epoch) trains on threads and again with `?threads=1`, both finish with the
 * loss down and nothing on the console, and the images/s of each are printed
 * — not compared: the machine is shared and the run is short. Served without
 * the headers, the page is not isolated and the line says wasm has 1 thread
 * and why. On threads, convkit's SIMD kernels have cores − 1 helper workers
 * (one run without them, by its switch, has that many workers fewer).
 * DOCS_THREADS_EXAMPLES=N trains on N digits instead (a steadier
 * images/s). Checks the test run's one build or DOCS_SITE_DIST.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, parseHeadersFile } from '../scripts/serve.mjs';
import { watchedPage } from './browser.js';
import { findChromium } from './chromium.js';
import { serveStatic } from './serve.js';
import { siteSession } from './site-session.js';

const chromium = findChromium();
const inCI = Boolean(process.env.CI);
const state = (value: unknown) => `#state=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

const EXAMPLES = Number(process.env.DOCS_THREADS_EXAMPLES ?? 320);
const SHORT_RUN = { autostart: true, epochs: 1, examples: EXAMPLES, batchSize: 32, seed: 1, backend: 'wasm' };

/** The threaded build's files, as @convkit/backend looks for them under `wasmPaths`. */
const THREADED = ['wasm', 'js', 'worker.js'].map((ext) => `tfjs-backend-wasm-threaded-simd.${ext}`);

interface ThreadRun {
  /** The backend line: `wasm (2-core CPU, 2 threads)`. */
  running: string;
  firstLoss: number;
  lastLoss: number;
  imagesPerSecond: number;
  isolated: boolean;
  cores: number;
  /** The response headers of the page's HTML. */
  headers: Record<string, string>;
  /** Requests to another origin (COEP would block them). */
  foreign: string[];
  problems: string[];
  /** The page's dedicated workers at the end: tfjs' pthreads and convkit's SIMD helpers. */
  workers: number;
}

/** The playground's short run on wasm, `query` added to the address (`&threads=1`). */
async function trainOnWasm(
  context: BrowserContext,
  site: string,
  query = '',
  run = SHORT_RUN,
  helpers = true,
): Promise<ThreadRun> {
  const { page, problems } = await watchedPage(context);
  // @convkit/backend's switch for its SIMD kernels' helper workers, read when the backend starts.
  if (!helpers) await page.addInitScript(() => Object.assign(globalThis, { __convkitWasmHelpers: false }));
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.protocol !== 'blob:' && url.origin !== new URL(site).origin)
      foreign.push(url.href);
  });
  try {
    const response = await page.goto(`${site}/playground/train?backend=wasm${query}${state(run)}`);
    await page.locator('.ck-train-done, .ck-error').first().waitFor({ timeout: 400_000 });
    const error = await page.locator('.ck-error').allTextContents();
    if (error.length > 0) throw new Error(`the playground did not train on wasm${query}: ${error.join(' ')}`);
    const text = async (selector: string) => (await page.locator(selector).first().textContent()) ?? '';
    const { isolated, cores } = await page.evaluate(() => ({
      isolated: window.crossOriginIsolated,
      cores: navigator.hardwareConcurrency,
    }));
    return {
      running: await text('.ck-backend-now'),
      firstLoss: Number(await text('.ck-first-loss')),
      lastLoss: Number(await text('.ck-last-loss')),
      imagesPerSecond: Number(await text('.ck-images-per-second')),
      isolated,
      cores,
      headers: response?.headers() ?? {},
      foreign,
      problems,
      workers: page.workers().length,
    };
  } finally {
    await page.close();
  }
}

const threadsOf = (cores: number) => `${cores} thread${cores === 1 ? '' : 's'}`;

describe.skipIf(!chromium && !inCI)('wasm threads in the built site', () => {
  const session = siteSession(chromium);

  it('ships the threaded wasm files and a _headers file with the isolation headers', () => {
    const { dist } = session();
    for (const file of THREADED) expect(existsSync(join(dist, 'wasm', file)), file).toBe(true);
    expect(parseHeadersFile(readFileSync(join(dist, '_headers'), 'utf8'))).toEqual({ ...ISOLATION_HEADERS });
  });

  it('trains on a thread per core, cross-origin isolated, and again on one thread', { timeout: 900_000 }, async () => {
    const { url, context } = session();
    const threaded = await trainOnWasm(context, url);
    expect(threaded.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(threaded.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(threaded.isolated).toBe(true);
    expect(threaded.foreign).toEqual([]);
    expect(threaded.running).toContain(`wasm (${threaded.cores}-core CPU, ${threadsOf(threaded.cores)})`);
    // The same run with convkit's SIMD kernels on the calling thread alone: one worker fewer.
    const unhelped = await trainOnWasm(context, url, '', SHORT_RUN, false);
    expect(unhelped.running).toBe(threaded.running);
    expect(threaded.workers - unhelped.workers).toBe(threaded.cores - 1);
    const single = await trainOnWasm(context, url, '&threads=1');
    expect(single.isolated).toBe(true);
    expect(single.running).toContain(`wasm (${single.cores}-core CPU, 1 thread)`);
    for (const run of [threaded, unhelped, single]) {
      expect(run.lastLoss, run.running).toBeLessThan(run.firstLoss);
      expect(run.imagesPerSecond, run.running).toBeGreaterThan(0);
      expect(run.problems, run.running).toEqual([]);
    }
    process.stdout.write(
      `docs threads: LeNet-5, ${EXAMPLES} digits, batch 32, one epoch in chromium (${threaded.cores} cores): ` +
        `${threaded.imagesPerSecond} images/s on ${threaded.running} (${unhelped.imagesPerSecond} with convkit's ` +
        `SIMD kernels on one of them), ${single.imagesPerSecond} images/s on ${single.running}\n`,
    );
  });

  it('says why wasm has one thread on a page served without the headers', { timeout: 600_000 }, async () => {
    const plain = await serveStatic(session().dist, { isolated: false });
    try {
      const run = await trainOnWasm(session().context, plain.url, '', { ...SHORT_RUN, examples: 64 });
      expect(run.isolated).toBe(false);
      expect(run.headers['cross-origin-embedder-policy']).toBeUndefined();
      expect(run.running).toContain('1 thread: this page is not cross-origin isolated');
      expect(run.problems).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});
