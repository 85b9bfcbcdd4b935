/**
 * A browser test's session on the built site: the test run's one build
 * (site-build.ts) or DOCS_SITE_DIST, served locally, and headless chromium
 * (with SwiftShader's WebGPU adapter, so `?backend=` picks any backend).
 * Registers its own `beforeAll` / `afterAll`; call it inside a `describe`.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchWebgpu } from './browser.js';
import { serveStatic } from './serve.js';
import { builtSite } from './site-build.js';

export interface SiteSession {
  /** The built site's folder. */
  dist: string;
  /** The local server's address, no trailing slash. */
  url: string;
  context: BrowserContext;
}

export function siteSession(chromium: string | undefined): () => SiteSession {
  let server: Awaited<ReturnType<typeof serveStatic>> | undefined;
  let browser: Awaited<ReturnType<typeof launchWebgpu>> | undefined;
  let dist = process.env.DOCS_SITE_DIST ?? '';

  beforeAll(async () => {
    if (!chromium)
      throw new Error('CI needs chromium for the docs site test: .ci/run installs Debian’s chromium package');
    if (!dist) dist = await builtSite();
    server = await serveStatic(dist);
    browser = await launchWebgpu(chromium);
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  return () => {
    if (!server || !browser) throw new Error('siteSession: the site is not served yet (call it inside a test)');
    return { dist, url: server.url, context: browser.context };
  };
}
