/**
 * A URL hash that `decodeURIComponent` can read. A hash with a `%` that starts
 * no escape, or escapes that are not UTF-8 (`#state=%E0%A4%A`), makes
 * VitePress's router, which decodes the hash to find the heading to scroll
 * to, log "URIError: URI malformed" and its outline throw. Escaping every `%`
 * of such a hash as `%25` keeps its text as typed: the page's state reader
 * then finds a state that is not base64url and says so, as for any bad link.
 * A readable hash is returned unchanged.
 */
export function readableHash(hash: string): string {
  try {
    decodeURIComponent(hash);
    return hash;
  } catch {
    return hash.replace(/%/g, '%25');
  }
}

/**
 * Rewrites the address's hash in place (no navigation, no history entry)
 * when it is not readable, now and whenever it changes. Call before the
 * router reads the address.
 */
export function repairAddressHash(): void {
  const repair = () => {
    const fixed = readableHash(window.location.hash);
    if (fixed === window.location.hash) return;
    const { pathname, search } = window.location;
    window.history.replaceState(window.history.state, '', `${pathname}${search}${fixed}`);
  };
  repair();
  window.addEventListener('hashchange', repair);
}
