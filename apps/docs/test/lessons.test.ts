/**
 * The course's "Training recipes" and "What the filters learn" lessons in
 * the built site: the recipes table is in the static HTML with the
 * measured numbers, and the filters lesson trains LeNet-5 in chromium on
 * wasm and draws every picture, not blank, with nothing on the console.
 * Checks the test run's one build (site-build.ts), or DOCS_SITE_DIST, a
 * finished build. Without chromium it is skipped, except in CI.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measurements } from '../src/recipe-lesson.js';
import { canvasPixels, variance, watchedPage } from './browser.js';
import { findChromium, textOf } from './chromium.js';
import { siteSession } from './site-session.js';

const chromium = findChromium();
const inCI = Boolean(process.env.CI);

describe.skipIf(!chromium && !inCI)('the training recipes and filters lessons', () => {
  const session = siteSession(chromium);

  it('renders the measured table and the recipe fields at build time', () => {
    const text = textOf(readFileSync(join(session().dist, 'guide', 'training-recipes.html'), 'utf8'));
    const momentum = measurements.rows.find((r) => r.knob === 'momentum' && r.dataset === 'fashion-mnist');
    expect(text).toContain(`${(100 * (momentum?.validationTop1Error ?? Number.NaN)).toFixed(1)} %`);
    expect(text).toContain('optimizer.weightDecay');
    expect(text).toContain('{"type":"plateau","factor":0.1,"patience":5,"minLr":0.00001}');
    expect(text).toContain(measurements.command);
  });

  it('trains LeNet-5 in the page and draws filters, Zeiler–Fergus grids and occlusion maps', {
    timeout: 240_000,
  }, async () => {
    const { page, problems } = await watchedPage(session().context);
    await page.goto(`${session().url}/guide/filters?backend=wasm`);
    const lesson = page.locator('.ck-filters-lesson');
    // The page is server-rendered: a value typed before Vue hydrates it is reset to the default (2 epochs;
    // CI once trained 2). The lesson's onMounted applies ?backend=wasm to the picker: then it is live.
    await page.waitForFunction(
      () => document.querySelector<HTMLSelectElement>('.ck-filters-lesson select')?.value === 'wasm',
      undefined,
      { timeout: 60_000 },
    );
    await lesson.locator('input[type="number"]').fill('1');
    await lesson.locator('button.ck-primary').click();
    await lesson.locator('.ck-zf').nth(1).waitFor({ timeout: 200_000 });
    expect(await lesson.locator('.ck-status').textContent()).toMatch(
      /Done: 1 epoch\(s\) on wasm\. Test error \d+\.\d %/,
    );
    for (const label of [
      'conv1 filters',
      'Zeiler–Fergus figure for conv1',
      'Zeiler–Fergus figure for conv2',
      'occlusion map of test digit 1',
    ]) {
      expect(variance(await canvasPixels(page, label)), label).toBeGreaterThan(0);
    }
    expect(await lesson.locator('canvas').count()).toBe(2 + 2 + 1 + 8);
    expect(problems).toEqual([]);
  });
});
