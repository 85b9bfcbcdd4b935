/**
 * The training playground after a run, in headless chromium on wasm: the
 * confusion matrix accounts for every bundled test digit (each row sums to
 * that digit's count in the test labels, read here from the built files),
 * and the gallery shows exactly the off-diagonal mistakes. A short run (320
 * digits, one epoch) keeps it fast; DOCS_FULL_RUN=1 also trains the page's
 * default and checks it reaches ≤ 2 % test error (minutes). Checks the test
 * run's one build or DOCS_SITE_DIST, a finished build (site-session.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasPixels, pixelDifference, variance, type WatchedPage, watchedPage } from './browser.js';
import { findChromium } from './chromium.js';
import { siteSession } from './site-session.js';

const chromium = findChromium();
const inCI = Boolean(process.env.CI);
const state = (value: unknown) => `#state=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

/** The bundled test labels, straight from the IDX file the site serves (header: magic, count). */
function testLabels(dist: string): number[] {
  const bytes = gunzipSync(readFileSync(join(dist, 'mnist', 'test-labels.idx.gz')));
  return Array.from(bytes.subarray(8));
}

async function trained(page: Page, url: string, timeout: number): Promise<void> {
  await page.goto(url);
  await page.locator('.ck-train-done, .ck-error').first().waitFor({ timeout });
  const error = await page.locator('.ck-error').allTextContents();
  if (error.length > 0) throw new Error(`the playground did not train: ${error.join(' ')}`);
}

/** The confusion matrix as the page's table shows it: 10 rows of 10 counts. */
async function confusion(page: Page): Promise<number[][]> {
  const rows = await page.locator('table.ck-confusion tbody tr').all();
  return Promise.all(rows.map(async (row) => (await row.locator('td').allTextContents()).map(Number)));
}

describe.skipIf(!chromium && !inCI)('the training playground: what the network gets wrong', () => {
  const session = siteSession(chromium);
  /** A new watched tab, and the trained playground in it (a short run: 320 digits, one epoch). */
  async function shortRun(): Promise<WatchedPage & { dist: string }> {
    const { url, context, dist } = session();
    const watched = await watchedPage(context);
    const run = { autostart: true, epochs: 1, examples: 320, batchSize: 32, backend: 'wasm' };
    await trained(watched.page, `${url}/playground/train?backend=wasm${state(run)}`, 150_000);
    return { ...watched, dist };
  }

  it('shows a confusion matrix of every test digit and a gallery of exactly its mistakes', {
    timeout: 180_000,
  }, async () => {
    const { page, problems, dist } = await shortRun();
    const matrix = await confusion(page);
    const labels = testLabels(dist);
    expect(matrix.length).toBe(10);
    for (let d = 0; d < 10; d++) {
      expect(matrix[d]?.length).toBe(10);
      expect(
        matrix[d]?.reduce((a, b) => a + b, 0),
        `row ${d}`,
      ).toBe(labels.filter((l) => l === d).length);
    }
    expect(matrix.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
    const wrong = matrix.flatMap((row, t) => row.filter((_, p) => p !== t)).reduce((a, b) => a + b, 0);
    expect(await page.locator('.ck-mistake').count()).toBe(wrong);
    // Each card says "true → predicted" and its digit is in the matrix's off-diagonal cell.
    const cards = await page.locator('.ck-mistake').allTextContents();
    const tallied = matrix.map((row) => row.map(() => 0));
    for (const card of cards) {
      const [, t, p] = /(\d) → (\d)/.exec(card) ?? [];
      expect(t).not.toBe(p);
      const row = tallied[Number(t)] as number[];
      row[Number(p)] = (row[Number(p)] as number) + 1;
    }
    expect(tallied.map((row, t) => row.map((v, p) => (p === t ? 0 : v)))).toEqual(
      matrix.map((row, t) => row.map((v, p) => (p === t ? 0 : v))),
    );
    // The page's own error figure is the matrix's off-diagonal share.
    expect(
      Number(
        await page
          .locator('.ck-test-error')
          .textContent()
          .then((t) => t?.replace('%', '')),
      ),
    ).toBeCloseTo((100 * wrong) / labels.length, 1);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a clicked unit's map, top patches and projection, links a hovered filter to its map, and redraws an edited filter", {
    timeout: 180_000,
  }, async () => {
    const { page, problems } = await shortRun();
    const idle = () => page.locator('.ck-units[aria-busy="false"]').waitFor({ timeout: 60_000 });
    await idle();
    expect(await page.locator('canvas[aria-label^="conv1 unit "]').count()).toBe(6);
    expect(await page.locator('canvas[aria-label^="conv2 unit "]').count()).toBe(16);
    await page.locator('button:has(canvas[aria-label="conv2 unit 3"])').click();
    await idle();
    for (const view of ['feature map', 'top patches', 'projection']) {
      const pixels = await canvasPixels(page, `selected unit's ${view}`);
      expect(pixels.length, view).toBeGreaterThan(100);
      expect(variance(pixels), `${view} is not blank`).toBeGreaterThan(0);
    }
    // Hover linking: conv1's filter 2 lights up conv1's map 2 (and only it).
    await page.locator('button:has(canvas[aria-label="conv1 filter 2"])').hover();
    expect(await page.locator('button.ck-linked:has(canvas[aria-label="conv1 unit 2"])').count()).toBe(1);
    expect(await page.locator('button.ck-linked:has(canvas[aria-label^="conv1 unit "])').count()).toBe(1);
    // Editing: the map drawn from the filter as trained is the selected map; a larger centre weight changes it.
    await page.locator('button:has(canvas[aria-label="conv1 unit 2"])').click();
    await idle();
    const before = await canvasPixels(page, "edited filter's feature map");
    const centre = page.getByLabel('weight row 3 column 3');
    await centre.fill(String(Number(await centre.inputValue()) + 3));
    await centre.dispatchEvent('change');
    await idle();
    const after = await canvasPixels(page, "edited filter's feature map");
    expect(after.length).toBe(before.length);
    expect(pixelDifference(before, after).max).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Reset to the trained weights' }).click();
    await idle();
    expect(pixelDifference(before, await canvasPixels(page, "edited filter's feature map")).max).toBe(0);
    // The test's own canvasPixels reads the same canvas three times: chromium's hint about it is not the page's.
    expect(problems.filter((p) => !/willReadFrequently/.test(p))).toEqual([]);
    await page.close();
  });

  it.runIf(process.env.DOCS_FULL_RUN)(
    'reaches ≤ 2 % test error with the default settings',
    { timeout: 900_000 },
    async () => {
      const { url, context } = session();
      const { page, problems } = await watchedPage(context);
      const started = performance.now();
      await trained(page, `${url}/playground/train?backend=wasm${state({ autostart: true })}`, 850_000);
      const seconds = (performance.now() - started) / 1000;
      const error = Number((await page.locator('.ck-test-error').textContent())?.replace('%', ''));
      process.stdout.write(`default playground run on wasm: ${seconds.toFixed(0)} s, ${error}% test error\n`);
      expect(error).toBeLessThanOrEqual(2);
      expect(problems).toEqual([]);
      await page.close();
    },
  );
});
