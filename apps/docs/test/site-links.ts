import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { htmlPages } from './site-files.js';

/** A link in a built page that names a page or an anchor the site does not have. */
export interface DeadLink {
  page: string;
  href: string;
  reason: string;
}

/** The ids a page's HTML defines (`id="x"`, and `name="x"` on anchors). */
export function anchorsOf(html: string): Set<string> {
  const ids = new Set<string>();
  for (const match of html.matchAll(/\s(?:id|name)="([^"]*)"/g)) ids.add(decodeEntities(match[1] as string));
  return ids;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The href of every `<a>` in the page body (the `<head>` holds only assets). */
export function linksOf(html: string): string[] {
  const body = html.slice(html.indexOf('<body'));
  return [...body.matchAll(/<a\b[^>]*\shref="([^"]*)"/g)].map((match) => decodeEntities(match[1] as string));
}

/** The built file a clean URL names: `/a/b` → `a/b.html`, `/a/` → `a/index.html`. */
function fileOf(pathname: string, files: Set<string>): string | undefined {
  const clean = pathname.replace(/^\//, '');
  const candidates = [clean, `${clean}.html`, posix.join(clean, 'index.html')];
  return candidates.find((candidate) => files.has(candidate));
}

/**
 * Every internal link of a built site whose target page or anchor is missing:
 * `href="#x"` must name an id on its own page, `/page#x` an id on that page.
 * External links (with a scheme) are not followed.
 */
export async function deadLinks(dist: string): Promise<DeadLink[]> {
  const pages = await htmlPages(dist);
  const files = new Set(pages);
  const html = new Map<string, string>();
  for (const page of pages) html.set(page, await readFile(join(dist, page), 'utf8'));
  const dead: DeadLink[] = [];
  for (const page of pages) {
    for (const href of linksOf(html.get(page) as string)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;
      const reason = missingTarget(page, href, files, html);
      if (reason) dead.push({ page, href, reason });
    }
  }
  return dead;
}

function missingTarget(page: string, href: string, files: Set<string>, html: Map<string, string>) {
  const [path = '', hash] = href.split('#', 2);
  const base = `/${page}`;
  const pathname = path === '' ? base : new URL(path, `http://site${base}`).pathname;
  const target = fileOf(decodeURIComponent(pathname), files);
  // Files other than pages (`/favicon.svg`, `/mnist/…`) are assets: only pages and their ids are checked here.
  if (!target) return /\.[a-z0-9]+$/i.test(pathname) && !pathname.endsWith('.html') ? undefined : 'no such page';
  if (hash === undefined || hash === '') return undefined;
  const id = decodeURIComponent(hash);
  return anchorsOf(html.get(target) as string).has(id) ? undefined : `no id "${id}" in ${target}`;
}
