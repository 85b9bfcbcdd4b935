/**
 * The site on WebGPU in headless chromium (SwiftShader adapter): the
 * playground trains, predicts and draws on webgpu what it does on wasm for
 * the same seed, and no page logs an error or a warning (tfjs' "synchronously
 * reading data" one included) with `?backend=webgpu`. Called from
 * site.test.ts, which builds and serves the site once.
 */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWebgpu, pixelDifference, settle, variance, watchedPage } from './browser.js';
import { DRAW_LAYERS, type PlaygroundRun, playgroundRun } from './playground-run.js';

/**
 * The one-epoch run: all 2,000 bundled digits take many minutes per epoch on
 * SwiftShader (a CPU running WebGPU), so the test trains on the first 320
 * (10 batches of 32) through the playground's "training digits" setting;
 * the path is the same at any count. Ten steps do not teach LeNet-5 to read
 * digits well (about 1 in 6 right), so the draw page's predictions are held
 * to wasm's — the same weights must give the same digits — not to an
 * accuracy.
 */
const TRAIN = { examples: 320, batchSize: 32, lr: 0.05 };
/** Test digits read on the draw page (the linked one, then "A test digit" ×5, seeded). */
const DIGITS = 6;

/** Every page of the built site, as the path a reader opens. */
function sitePages(dist: string): string[] {
  const pages: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.html') && entry.name !== '404.html') pages.push(`/${relative(dist, path)}`);
    }
  };
  walk(dist);
  return pages.sort();
}

export function describeWebgpu(chromium: string | undefined, site: () => { url: string; dist: string }) {
  describe.skipIf(!chromium)('on WebGPU (SwiftShader in headless chromium)', () => {
    let browser: Awaited<ReturnType<typeof launchWebgpu>> | undefined;

    beforeAll(async () => {
      browser = await launchWebgpu(chromium as string);
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    it('trains LeNet-5, predicts and draws on webgpu, with the pictures wasm draws', { timeout: 400_000 }, async () => {
      const { url } = site();
      const context = browser?.context;
      if (!context) throw new Error('chromium did not start');
      const run = (backend: string) => playgroundRun(context, url, backend, { ...TRAIN, digits: DIGITS });
      const webgpu = await run('webgpu');
      expect(webgpu.problems, 'console errors and warnings on webgpu').toEqual([]);
      expect(webgpu.running).toMatch(/^webgpu \(.+\)$/);
      expect(webgpu.lastLoss).toBeLessThan(webgpu.firstLoss);
      expectDrawn(webgpu);
      const wasm = await run('wasm');
      expect(wasm.problems, 'console errors and warnings on wasm').toEqual([]);
      expect(wasm.running).toMatch(/^wasm /);
      compareRuns(webgpu, wasm);
    });

    it('opens every page with ?backend=webgpu without an error or a warning', { timeout: 300_000 }, async () => {
      const { url, dist } = site();
      const context = browser?.context;
      if (!context) throw new Error('chromium did not start');
      const { page, problems } = await watchedPage(context);
      const failures: string[] = [];
      for (const path of sitePages(dist)) {
        problems.length = 0;
        await page.goto(`${url}${path.replace(/\.html$/, '')}?backend=webgpu`);
        // Pages with a live demo compute after load: wait until they stop changing.
        if ((await page.locator('.ck-demo').count()) > 0) await settle(page, 1000);
        const shown = await page.locator('.ck-error').allTextContents();
        for (const message of [...problems, ...shown.map((text) => `on the page: ${text}`)]) {
          failures.push(`${path}: ${message}`);
        }
      }
      await page.close();
      expect(failures).toEqual([]);
    });
  });
}

/** The pictures are drawn, not blank: a flat gray or black canvas has (almost) no variance. */
function expectDrawn(run: PlaygroundRun) {
  expect(variance(run.filterPixels), 'conv1 filters canvas').toBeGreaterThan(100);
  expect(variance(run.input), '"what the network sees" canvas').toBeGreaterThan(100);
  for (const name of DRAW_LAYERS) expect(variance(run.maps[name] ?? []), `${name} maps canvas`).toBeGreaterThan(20);
  expect(run.drawn).toBeGreaterThanOrEqual(0);
}

function compareRuns(webgpu: PlaygroundRun, wasm: PlaygroundRun) {
  // Same seed, same data, same order: the runs differ only by float rounding in the kernels.
  expect(webgpu.filters.flat()).toHaveLength(150);
  const weights = webgpu.filters.flat().map((w, i) => Math.abs(w - (wasm.filters.flat()[i] as number)));
  expect(Math.max(...weights), 'conv1 weights, webgpu vs wasm').toBeLessThan(1e-3);
  expect(pixelDifference(webgpu.filterPixels, wasm.filterPixels).max, 'filter pixels').toBeLessThanOrEqual(2);
  expect(pixelDifference(webgpu.input, wasm.input).max, 'input pixels').toBeLessThanOrEqual(1);
  for (const name of DRAW_LAYERS) {
    const diff = pixelDifference(webgpu.maps[name] ?? [], wasm.maps[name] ?? []);
    expect(diff.max, `${name} feature-map pixels`).toBeLessThanOrEqual(8);
    expect(diff.mean, `${name} feature-map pixels (mean)`).toBeLessThanOrEqual(1);
  }
  // "A test digit" picked different digits (seeded), and each reads as on wasm.
  expect(new Set(webgpu.predictions.map(({ index }) => index)).size).toBe(DIGITS);
  expect(webgpu.predictions).toEqual(wasm.predictions);
  expect(webgpu.drawn).toBe(wasm.drawn);
}
