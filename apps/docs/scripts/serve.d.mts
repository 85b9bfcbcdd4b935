/** COOP `same-origin` + COEP `require-corp`: the headers that make the site cross-origin isolated. */
export declare const ISOLATION_HEADERS: Readonly<
  Record<'Cross-Origin-Opener-Policy' | 'Cross-Origin-Embedder-Policy', string>
>;
/** The headers a `_headers` file (Netlify / Cloudflare Pages syntax) sets for `/*`. */
export declare function parseHeadersFile(text: string): Record<string, string>;
/**
 * Serves a built site on 127.0.0.1 (a free port unless `port` is given) with clean URLs and
 * {@link ISOLATION_HEADERS} (left out with `isolated: false`); `close()` stops it.
 */
export declare function serveStatic(
  root: string,
  options?: { port?: number; isolated?: boolean },
): Promise<{ url: string; close: () => Promise<void> }>;
