import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng } from '@convkit/viz';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../test/cli.js';
import { STYLE } from './report-sections.js';

/** Every inlined PNG of the report: its alt text and its size, read from the PNG header (IHDR: width, height at bytes 16 and 20). */
function images(html: string): { alt: string; width: number; height: number }[] {
  return [...html.matchAll(/<img alt="([^"]*)" src="data:image\/png;base64,([^"]+)"/g)].map(
    ([, alt = '', data = '']) => {
      const bytes = Buffer.from(data, 'base64');
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      return { alt, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    },
  );
}

/** The declarations of one CSS rule of the report's style sheet. */
function rule(selector: string): string {
  const found = new RegExp(`(?:^|[}\\n])${selector.replace('.', '\\.')}\\{([^}]*)\\}`).exec(STYLE);
  expect(found, `a CSS rule for ${selector}`).not.toBeNull();
  return found?.[1] ?? '';
}

describe('the main job’s report', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'convkit-report-')), 'run');
  let html = '';
  let trained = { code: -1 as number | null, out: '', err: '' };

  beforeAll(async () => {
    const flags = ['--limit', '300', '--epochs', '1', '--batch', '50', '--backend', 'cpu', '--out', dir];
    trained = await cli('train', 'lenet5-modern', '--data', 'mnist', ...flags);
    html = existsSync(join(dir, 'report.html')) ? readFileSync(join(dir, 'report.html'), 'utf8') : '';
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds every picture by default, with no script and nothing fetched', () => {
    expect(trained.code, trained.err).toBe(0);
    expect(trained.out).toMatch(/report .*report\.html \(pictures and report in [\d.]+ s\)/);
    for (const section of [
      'Training',
      'Confusion matrix',
      'Misclassified examples',
      'What the first layer learned',
      'Feature maps',
      'Zeiler–Fergus: what the units respond to',
      'Occlusion',
      'Equivariance',
      'Architecture',
    ]) {
      expect(html).toContain(`<h2>${section}</h2>`);
    }
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    // The sample is said: the pictures search the first 1,000 test images, not all of them.
    expect(html).toContain('searched in the first 1,000 of the 10,000 test images');
    expect(html).toMatch(/\d+ of 1000 misclassified in the first 1,000 of the 10,000 test images/);
    expect(html).toMatch(/true <b>\d<\/b> → <b>\d<\/b> [\d.]+ %/);
  });

  it('draws filters large on a diverging scale, and a Zeiler–Fergus grid and feature maps for conv1 and conv2', () => {
    const drawn = images(html);
    const filters = drawn.find((i) => i.alt === 'first-layer filters after training');
    // Six 5×5 filters at 10 px a weight: 50 px each, 6 · 50 + 7 · 4 spacing = 328 px.
    expect(filters?.width).toBeGreaterThanOrEqual(200);
    expect(filters?.width).toBe(328);
    expect(filters?.height).toBe(58);
    expect(html).toMatch(/conv1: 6 filters of 5×5×1 weights, 10 px per weight .* blue −[\d.]+, white 0, red \+[\d.]+/);
    expect(drawn.some((i) => i.alt === 'colour scale' && i.width === 240)).toBe(true);
    const evolution = drawn.find((i) => i.alt.startsWith('first-layer filters: initialization'));
    expect(evolution?.width).toBe(328);
    for (const layer of ['conv1', 'conv2']) {
      const zf = drawn.find((i) => i.alt === `Zeiler–Fergus grid (zf-${layer}.png)`);
      expect(zf, layer).toBeDefined();
      expect(zf?.width).toBeGreaterThan(400);
      expect(zf?.width).toBeLessThanOrEqual(1100); // four units a row fit the column
      expect(drawn.find((i) => i.alt === `feature maps (maps-${layer}.png)`)).toBeDefined();
    }
    expect(html).toMatch(/conv2: the 8 of 16 units with the strongest activation over 1000 examples, top 9 each/);
    expect(drawn.filter((i) => i.alt === 'its occlusion map')).toHaveLength(4);
  });

  it('fits a 1280-px window: one column at most 1100 px, and nothing in it wider than the column', () => {
    const body = rule('body');
    const width = Number(/max-width:(\d+)px/.exec(body)?.[1]);
    expect(width).toBeLessThanOrEqual(1280 - 2 * 16 - 20); // padding and a scroll bar
    expect(rule('img')).toContain('max-width:100%');
    expect(rule('img')).toContain('image-rendering:pixelated'); // upscaled by the browser, still nearest neighbour
    expect(rule('svg')).toContain('max-width:100%');
    expect(rule('pre')).toContain('overflow:auto');
    expect(rule('.scroll')).toContain('overflow-x:auto');
    expect(rule('figure')).toContain('max-width:100%');
    // No element sets a width in the page itself: only the style sheet sizes things.
    expect(html).not.toMatch(/<(img|figure|div|table)[^>]* (width|style)=/);
  });

  it('convkit viz RUN zf --layer conv2 draws the figure, says what it searched and puts it in the report', async () => {
    const viz = await cli('viz', dir, 'zf', '--layer', 'conv2', '--units', '3,1', '--limit', '200', '--backend', 'cpu');
    expect(viz.code, viz.err).toBe(0);
    expect(viz.out).toContain(
      'conv2: units 3, 1; top 9 of 200 examples, searched in the first 200 of the 10,000 test images',
    );
    expect(viz.out).toContain(`wrote ${dir}/zf-conv2.png`);
    const png = decodePng(new Uint8Array(readFileSync(join(dir, 'zf-conv2.png'))));
    // Two units, one row: each 3 cells of the 14×14 field at 3 px (42) + 4 gaps, twice, and a 4-px gap between.
    expect(png.width).toBe(8 + 2 * (130 + 4 + 130 + 8));
    const report = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(report).toContain('conv2: units 3, 1; top 9 of 200 examples');
    expect(report).toContain('Zeiler–Fergus grid (zf-conv1.png)');
  }, 120_000);

  it('refuses a bad --limit and suggests zf for a typo', async () => {
    expect((await cli('viz', dir, 'zf', '--limit', '0', '--backend', 'cpu')).err).toMatch(
      /--limit must be a positive integer, received 0/,
    );
    expect((await cli('viz', dir, 'zff', '--backend', 'cpu')).err).toMatch(/unknown picture "zff".*zf/);
  }, 60_000);
});
