// Serves a built site the way a production host should: clean URLs (`/a/b`
// → `a/b.html`) and the cross-origin isolation headers that let the
// browser give the page SharedArrayBuffer, which the wasm backend's threads
// need. `pnpm preview` runs this (VitePress's own `vitepress preview` sends
// no custom headers), and the browser tests serve the site through it.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * COOP + COEP: the page is cross-origin isolated (`crossOriginIsolated`),
 * so wasm can run on threads. Every subresource must then be same-origin
 * (or send CORP/CORS headers), which the site's are.
 */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** The headers of `pages/public/_headers` (Netlify / Cloudflare Pages syntax) for the path pattern `/*`. */
export function parseHeadersFile(text) {
  const headers = {};
  let inAll = false;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) inAll = line.trim() === '/*';
    else if (inAll) {
      const colon = line.indexOf(':');
      if (colon < 0) throw new Error(`_headers: "${line.trim()}" is not "Name: value"`);
      headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  return headers;
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
  '.gz': 'application/octet-stream',
};

/** The file a clean URL names in a VitePress build: `/a/b` → `a/b.html`, `/a/` → `a/index.html`. */
function fileFor(root, pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  const candidates = [clean, `${clean}.html`, join(clean, 'index.html')];
  for (const candidate of candidates) {
    const path = join(root, candidate);
    if (path.startsWith(root) && existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}

/**
 * Serves a built site on 127.0.0.1 (a free port unless `port` is given);
 * `close()` stops it. `isolated: false` leaves out the isolation headers, as
 * a host that cannot set headers would.
 */
export async function serveStatic(root, { port = 0, isolated = true } = {}) {
  const extra = isolated ? ISOLATION_HEADERS : {};
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    const file = fileFor(root, pathname);
    if (!file) {
      response.writeHead(404, { 'content-type': 'text/plain', ...extra });
      response.end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', ...extra });
    createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function main() {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error(`${dist} has no built site: run pnpm --filter docs build`);
  // The production build's _headers must say what this server sends.
  const shipped = parseHeadersFile(readFileSync(join(dist, '_headers'), 'utf8'));
  for (const [name, value] of Object.entries(ISOLATION_HEADERS))
    if (shipped[name] !== value) throw new Error(`dist/_headers sends ${name}: ${shipped[name]}, expected ${value}`);
  const { url } = await serveStatic(dist, { port: Number(process.argv[2] ?? 4173) });
  process.stdout.write(`docs: the built site, cross-origin isolated, at ${url}/\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
