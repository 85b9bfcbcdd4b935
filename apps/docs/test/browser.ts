/**
 * Driving the built site in Debian's chromium through playwright-core (no
 * browser download), with a WebGPU adapter: SwiftShader, the software
 * Vulkan driver that Debian's chromium package ships, so the test runs on
 * any CI machine. Every console error, uncaught error and warning a page
 * logs is collected; tfjs' WebGPU backend warns once per page when data is
 * read synchronously ("The performance of synchronously reading data from
 * GPU to CPU is poor…"), so a `dataSync` in a page's path shows up here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** WebGPU on SwiftShader in headless chromium; without `--use-angle=swiftshader` tfjs' mapAsync fails after one read. */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
];

const QUIET_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
];

/**
 * Console messages of chromium itself, not of the page: VitePress's font
 * preload under load, and the 404 of `/favicon.ico`, which chromium asks for
 * on its own (the site has no icon).
 */
const BROWSER_NOTES = [/was preloaded using link preload but not used within a few seconds/, /404 .*\/favicon\.ico\)$/];

/** A persistent headless chromium with WebGPU (a fresh profile, removed by `close`). */
export async function launchWebgpu(
  executablePath: string,
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'docs-webgpu-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless=new', ...QUIET_FLAGS, ...WEBGPU_FLAGS],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Errors, uncaught exceptions and warnings the page logged, as `type: text`. */
  problems: string[];
}

/**
 * A new tab whose console is watched. `Math.random` is seeded (a
 * Park–Miller generator) so that "A test digit" picks the same digits in
 * every run and on every backend.
 */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    const type = message.type();
    const text = message.text();
    const where = message.location().url;
    const line = `${type}: ${text}${where ? ` (${where})` : ''}`;
    if ((type === 'error' || type === 'warning') && !BROWSER_NOTES.some((note) => note.test(line))) problems.push(line);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  await page.addInitScript(() => {
    let seed = 12345;
    Math.random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
  });
  return { page, problems };
}

/** Waits until the page's DOM has not changed for `quietMs` (demos compute after load), at most `maxMs`. */
export async function settle(page: Page, quietMs = 1000, maxMs = 30_000): Promise<void> {
  await page.evaluate(
    ([quiet, max]) =>
      new Promise<void>((resolve) => {
        let timer = setTimeout(done, quiet);
        const stop = setTimeout(done, max);
        const observer = new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(done, quiet);
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        function done() {
          observer.disconnect();
          clearTimeout(timer);
          clearTimeout(stop);
          resolve();
        }
      }),
    [quietMs, maxMs] as const,
  );
}

/** A canvas's pixels as gray levels (the red channel: the site draws gray or colormapped maps), by aria-label. */
export async function canvasPixels(page: Page, label: string): Promise<number[]> {
  return page.locator(`canvas[aria-label="${label}"]`).evaluate((canvas: HTMLCanvasElement) => {
    const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
    const gray: number[] = [];
    for (let i = 0; i < data.length; i += 4)
      gray.push((data[i] as number) + (data[i + 1] as number) + (data[i + 2] as number));
    return gray.map((v) => v / 3);
  });
}

/** Population variance: a blank (one-colour) picture has none. */
export function variance(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

/** Largest and mean absolute difference of two pictures of the same size. */
export function pixelDifference(a: number[], b: number[]): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`pictures of ${a.length} and ${b.length} pixels cannot be compared`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** Follows a link inside the page, as a reader's click would: VitePress swaps the page and keeps the app's state. */
export async function navigateInApp(page: Page, href: string): Promise<void> {
  await page.evaluate((target) => {
    const link = document.createElement('a');
    link.href = target;
    link.textContent = 'next';
    document.body.append(link);
    link.click();
  }, href);
}
