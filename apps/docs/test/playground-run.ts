/**
 * One reader's visit to the playground on one backend: train LeNet-5 on
 * the bundled digits, then go (inside the app, keeping the trained model)
 * to "Draw a digit", read test digits and draw one with the mouse. What
 * the pages showed comes back as numbers and pixels, to compare backends.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { canvasPixels, navigateInApp, watchedPage } from './browser.js';

export const DRAW_LAYERS = ['conv1', 'pool1', 'conv2', 'pool2'] as const;

export interface PlaygroundRun {
  firstLoss: number;
  lastLoss: number;
  /** What the backend picker said runs. */
  running: string;
  /** conv1's trained weights, one row of 25 per filter, as the page prints them. */
  filters: number[][];
  filterPixels: number[];
  /** For each test digit read: its index in the bundled test set and the digit predicted. */
  predictions: { index: number; predicted: number }[];
  /** The first test digit's input ("what the network sees") and feature maps, as gray levels. */
  input: number[];
  maps: Record<string, number[]>;
  /** The digit predicted for a stroke drawn with the mouse. */
  drawn: number;
  problems: string[];
}

/** The playground's training settings the run uses (one epoch, seed 1). */
export interface TrainSettings {
  examples: number;
  batchSize: number;
  lr: number;
}

const state = (value: unknown) => `#state=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

async function predicted(page: Page): Promise<{ index: number; predicted: number }> {
  await page.locator('.ck-draw[aria-busy="false"] .ck-predicted').waitFor({ timeout: 60_000 });
  const hash = await page.evaluate(() => window.location.hash);
  const encoded = new URLSearchParams(hash.slice(1)).get('state') ?? '';
  const { digit } = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as { digit: number };
  return { index: digit, predicted: Number(await page.locator('.ck-predicted').textContent()) };
}

/** Waits for the draw page to finish the reading that `act` starts (aria-busy goes true, then false). */
async function afterReading(page: Page, act: () => Promise<void>): Promise<void> {
  await act();
  await page.locator('.ck-draw[aria-busy="false"]').waitFor({ timeout: 60_000 });
}

async function train(
  page: Page,
  url: string,
  settings: TrainSettings,
): Promise<Omit<PlaygroundRun, 'predictions' | 'input' | 'maps' | 'drawn' | 'problems'>> {
  const train = { autostart: true, epochs: 1, seed: 1, ...settings };
  await page.goto(`${url}${state(train)}`);
  // Done, or a message saying why not (the backend picked is unavailable, training failed).
  await page.locator('.ck-train-done, .ck-error').first().waitFor({ timeout: 300_000 });
  const error = await page.locator('.ck-error').allTextContents();
  if (error.length > 0) throw new Error(`the playground did not train on ${url}: ${error.join(' ')}`);
  const text = (selector: string) => page.locator(selector).first().textContent();
  const rows = ((await page.locator('.ck-filter-values pre').textContent()) ?? '').trim().split('\n');
  return {
    firstLoss: Number(await text('.ck-first-loss')),
    lastLoss: Number(await text('.ck-last-loss')),
    running: (await text('.ck-backend-now')) ?? '',
    filters: rows.map((row) =>
      row
        .replace(/^filter \d+:\s*/, '')
        .split(' ')
        .map(Number),
    ),
    filterPixels: await canvasPixels(page, 'conv1 filters now'),
  };
}

/**
 * Trains on `backend` (forced with `?backend=`) for one epoch on the first
 * `examples` bundled digits, then reads `digits` test digits: the one in
 * the link, then those that "A test digit" picks (seeded), then a stroke.
 */
export async function playgroundRun(
  context: BrowserContext,
  site: string,
  backend: string,
  options: TrainSettings & { digits: number },
): Promise<PlaygroundRun> {
  const { page, problems } = await watchedPage(context);
  try {
    const { digits, ...settings } = options;
    const trained = await train(page, `${site}/playground/train?backend=${backend}`, settings);
    await navigateInApp(page, `/playground/draw${state({ digit: 0 })}`);
    const predictions = [await predicted(page)];
    const input = await canvasPixels(page, 'the 28×28 input');
    const maps: Record<string, number[]> = {};
    for (const name of DRAW_LAYERS) maps[name] = await canvasPixels(page, `feature maps of ${name}`);
    const button = page.getByRole('button', { name: 'A test digit' });
    for (let i = 1; i < digits; i++) {
      await afterReading(page, () => button.click());
      predictions.push(await predicted(page));
    }
    const pad = await page.locator('canvas.ck-pad').boundingBox();
    if (!pad) throw new Error('the drawing pad is not on the page');
    await afterReading(page, async () => {
      await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.2);
      await page.mouse.down();
      await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.8, { steps: 10 });
      await page.mouse.up();
    });
    const drawn = Number(await page.locator('.ck-predicted').textContent());
    return { ...trained, predictions, input, maps, drawn, problems };
  } finally {
    await page.close();
  }
}
