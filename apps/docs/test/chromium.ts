import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's chromium (what CI installs), or what CHROMIUM names. */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  const which = spawnSync('sh', ['-c', 'command -v chromium chromium-browser google-chrome | head -1'], {
    encoding: 'utf8',
  });
  const found = which.stdout.trim();
  return found || undefined;
}

/**
 * Messages chromium itself writes to a page's console that say nothing about
 * the page: WebGPU probing on a machine without a GPU (`'auto'` asks for an
 * adapter first), and VitePress's font preload once virtual time has run
 * far ahead.
 */
const BROWSER_NOTES = [
  /"No available adapters\."/,
  /was preloaded using link preload but not used within a few seconds/,
];

export interface PageDump {
  /** The DOM after the page ran, serialized. */
  dom: string;
  /** Every console message and uncaught error the page produced. */
  console: string[];
}

/**
 * Loads a URL in headless chromium, lets it run (virtual time: timers run
 * fast, network and computation take what they take) and returns the DOM
 * and the page's console output (`--enable-logging=stderr` prints each
 * console message as `INFO:CONSOLE`).
 */
export function dumpDom(chromium: string, url: string, options: { budgetMs?: number; timeoutMs?: number } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--no-first-run',
    `--user-data-dir=${profile}`,
    '--enable-logging=stderr',
    '--v=0',
    `--virtual-time-budget=${options.budgetMs ?? 10_000}`,
    '--dump-dom',
    url,
  ];
  return new Promise<PageDump>((resolve, reject) => {
    const child = spawn(chromium, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let dom = '';
    let log = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (dom += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(profile, { recursive: true, force: true });
      if (code !== 0) {
        reject(new Error(`chromium exited with ${code ?? signal} on ${url}\n${log.slice(-2000)}`));
        return;
      }
      const console = log
        .split('\n')
        .filter((line) => /:CONSOLE[:(]/.test(line) && !BROWSER_NOTES.some((note) => note.test(line)));
      resolve({ dom, console });
    });
  });
}

/** The text of a DOM (tags removed, entities for the characters the pages use decoded, spaces collapsed). */
export function textOf(dom: string): string {
  return dom
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}
