/**
 * Builds the site with vitepress and opens its key pages in headless
 * chromium: each must render the numbers the library computes, restore a
 * shared state, report a malformed one, train, and log nothing to the
 * console; then the playground and every page again on WebGPU
 * (webgpu-checks.ts). Without chromium the test is skipped with a message,
 * except in CI, where it fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpDom, findChromium, type PageDump, textOf } from './chromium.js';
import { serveStatic } from './serve.js';
import { builtSite, dist } from './site-build.js';
import { describeWebgpu } from './webgpu-checks.js';

const chromium = findChromium();
const inCI = Boolean(process.env.CI);

if (!chromium && !inCI) {
  process.stdout.write('docs site test skipped: no chromium found (apt-get install chromium, or set CHROMIUM)\n');
}

const state = (value: unknown) => `#state=${Buffer.from(JSON.stringify(value)).toString('base64url')}`;

describe.skipIf(!chromium && !inCI)('the built site in chromium', () => {
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  /**
   * The same site without the isolation headers. `--dump-dom` runs a page in virtual time, which does
   * not wait for the threaded wasm build's workers: a page that starts wasm stays at "starting wasm…"
   * when isolated (tfjs' own loader takes that build there even for `?threads=1`). Those pages are
   * dumped from here, where wasm runs on one thread; threads.test.ts trains on threads in real time.
   */
  let plain: Awaited<ReturnType<typeof serveStatic>> | undefined;
  const pages = new Map<string, PageDump>();

  async function open(path: string, budgetMs?: number, isolated = true): Promise<PageDump & { text: string }> {
    if (!chromium)
      throw new Error('CI needs chromium for the docs site test: .ci/run installs Debian’s chromium package');
    const url = `${(isolated ? server : plain)?.url}${path}`;
    const page = pages.get(url) ?? (await dumpDom(chromium, url, budgetMs ? { budgetMs } : {}));
    pages.set(url, page);
    expect(page.console, `console output on ${path}`).toEqual([]);
    return { ...page, text: textOf(page.dom) };
  }

  // DOCS_SITE_DIST names a finished build (as site-session.ts takes it) instead of building one here.
  let root = dist;
  beforeAll(async () => {
    if (!chromium) return;
    root = process.env.DOCS_SITE_DIST ?? (await builtSite());
    server = await serveStatic(root);
    plain = await serveStatic(root, { isolated: false });
  }, 400_000);

  afterAll(async () => {
    await server?.close();
    await plain?.close();
  });

  it('renders the numbers at build time (static HTML)', () => {
    if (!chromium) throw new Error('CI needs chromium for the docs site test');
    const html = (page: string) => textOf(readFileSync(join(root, page), 'utf8'));
    expect(html('architectures/vgg.html')).toContain('138,357,544');
    expect(html('architectures/vgg.html')).toContain('15,237,608');
    expect(html('guide/parameters.html')).toMatch(/3·3·3 \+ 1 = 28/);
    expect(html('guide/parameters.html')).toContain('2,800');
    expect(html('index.html')).toContain('138,357,544');
    expect(html('architectures/googlenet.html')).toContain('6,998,552');
    expect(html('architectures/alexnet.html')).toContain('60,965,224');
    expect(existsSync(join(root, 'wasm', 'tfjs-backend-wasm-simd.wasm'))).toBe(true);
    expect(existsSync(join(root, 'mnist', 'train-images.idx.gz'))).toBe(true);
    expect(html('api/@convkit/shape.html')).toContain('// 55 (AlexNet conv1)');
  });

  it('computes the course pages in the browser with the library', { timeout: 120_000 }, async () => {
    const conv = await open('/guide/convolution');
    expect(conv.text).toContain('the library computes the same map');
    expect(conv.text).toContain('(6 + 2·0 − 3)/1 + 1 = 4');
    const params = await open('/guide/parameters');
    expect(params.dom).toMatch(/class="ck-total">2,800</);
    expect(params.dom).toMatch(/class="ck-per-filter">28</);
    const pooling = await open('/guide/pooling');
    expect(pooling.text).toMatch(/\d of 4 pooled outputs unchanged/);
    const vgg = await open('/architectures/vgg');
    expect(vgg.dom).toMatch(/class="ck-vgg16-params">138,357,544</);
  });

  it('shows 55 in the shape calculator and restores a shared state', { timeout: 120_000 }, async () => {
    const page = await open('/playground/shape');
    expect(page.dom).toMatch(/class="ck-output-size">55</);
    const shared = await open(`/playground/shape${state({ n: 32, kernel: 5, stride: 1, padding: 'same' })}`);
    expect(shared.text).toContain('Restored from the link');
    expect(shared.dom).toMatch(/class="ck-output-size">32</);
  });

  it('shows a message, not a broken page, for a malformed state', { timeout: 120_000 }, async () => {
    const garbage = await open('/playground/shape#state=%7Bnot-base64');
    expect(garbage.text).toMatch(/The shared state in this link was not used: the state is not base64url-encoded/);
    expect(garbage.dom).toMatch(/class="ck-output-size">55</);
  });

  it('summarizes VGG-16 in the network editor and points at a bad layer', { timeout: 120_000 }, async () => {
    const vgg = await open(`/playground/network${state({ model: 'vgg16' })}`);
    expect(vgg.dom).toMatch(/class="ck-params">138,357,544</);
    const source = JSON.stringify({
      input: [28, 28, 1],
      layers: [
        { type: 'conv2d', config: { filters: 6, kernel: 5 } },
        { type: 'dense', config: { units: 10 } },
      ],
    });
    const bad = await open(`/playground/network${state({ source })}`);
    expect(bad.text).toMatch(/layer 1 \(line 1\): ShapeError: dense1: a dense layer needs a flat input/);
  });

  it('trains LeNet-5 in the page and the loss goes down', { timeout: 180_000 }, async () => {
    const page = await open(
      `/playground/train${state({ autostart: true, epochs: 1, examples: 320, batchSize: 32, backend: 'wasm' })}`,
      120_000,
      false,
    );
    expect(page.dom).toContain('ck-train-done');
    const first = Number(/class="ck-first-loss">([\d.]+)</.exec(page.dom)?.[1]);
    const last = Number(/class="ck-last-loss">([\d.]+)</.exec(page.dom)?.[1]);
    expect(first).toBeGreaterThan(last);
    expect(page.text).toMatch(/running: wasm \(/);
  });

  it('says so when the backend picked cannot start (this chromium has no WebGPU adapter)', {
    timeout: 120_000,
  }, async () => {
    const page = await open(
      `/playground/train?backend=webgpu${state({ autostart: true, epochs: 1, examples: 32, backend: 'wasm' })}`,
      undefined,
      // Isolation is not what this checks, and in virtual time an isolated page under load stayed at "Starting…".
      false,
    );
    // No adapter (or, in a chromium without WebGPU, no navigator.gpu): either way the message says why and what to pick.
    expect(page.text).toContain('The webgpu backend is not available in this browser — webgpu: ');
    expect(page.text).toContain('To go on, pick wasm (or auto, which falls back to it).');
    expect(page.dom).not.toContain('ck-train-done');
  });

  it('measures equivariance, and reads a digit with the feature maps of each layer', { timeout: 180_000 }, async () => {
    const page = await open(`/playground/equivariance${state({ digit: 3, shift: 2, layer: 'conv1' })}`);
    expect(page.dom).toMatch(/class="ck-max-error">0\.00</);
    expect(page.text).toContain('equivariant: the maps moved with the input');
    const draw = await open(`/playground/draw${state({ digit: 0 })}`, 120_000, false);
    expect(draw.dom).toMatch(/class="ck-predicted">\d</);
    expect(draw.text).toContain('conv1 — 28×28×6');
    expect(draw.text).toContain('pool2 — 5×5×16');
  });

  describeWebgpu(chromium, () => ({ url: server?.url ?? '', dist: root }));
});
