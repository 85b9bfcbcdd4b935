/**
 * Pins a scratch project to the versions the workspace lockfile chose.
 *
 * `pnpm add --offline` resolves ranges against the registry metadata in
 * pnpm's cache, which may name a version newer than the one the workspace
 * install put into the store (node-gyp's `tar@^7` became 7.5.24 while the
 * lockfile holds 7.5.23). On a fresh machine the store then lacks that
 * tarball and the install fails (ERR_PNPM_NO_OFFLINE_TARBALL); on a warm
 * machine it passes by luck. Overriding every dependency edge to the version
 * the lockfile resolved makes the scratch install use only what
 * `pnpm install --frozen-lockfile` fetched.
 */

/** One `dependencies:`/`optionalDependencies:` edge of a lockfile snapshot. */
export interface LockedEdge {
  parent: string;
  parentVersion: string;
  child: string;
  /** The exact version, or `npm:name@version` for an aliased dependency. */
  spec: string;
}

const EDGE_SECTIONS = new Set(['dependencies', 'optionalDependencies']);

/** `'@scope/name@1.2.3(peer@4)'` → `['@scope/name', '1.2.3']` (peer suffixes dropped). */
function splitKey(key: string): [string, string] | undefined {
  const plain = unquote(key).replace(/\(.*$/, '');
  const at = plain.lastIndexOf('@');
  if (at <= 0) return undefined;
  return [plain.slice(0, at), plain.slice(at + 1)];
}

function unquote(text: string): string {
  const t = text.trim();
  return (t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"')) ? t.slice(1, -1) : t;
}

/**
 * Every dependency edge in the `snapshots:` sections of a pnpm v9 lockfile
 * (a pnpm 12 lockfile holds two YAML documents: pnpm's own and the
 * workspace's). Workspace links (`link:`) and local files are skipped: the
 * scratch project gets those from packed tarballs.
 *
 * The lockfile's layout is fixed by pnpm (two-space indents, one key per
 * line), so a line reader suffices and pack-check needs no YAML dependency.
 */
export function lockedEdges(lockfile: string): LockedEdge[] {
  const edges: LockedEdge[] = [];
  let inSnapshots = false;
  let parent: [string, string] | undefined;
  let inEdges = false;
  for (const line of lockfile.split('\n')) {
    if (/^\S/.test(line)) {
      inSnapshots = line.startsWith('snapshots:');
      parent = undefined;
      continue;
    }
    if (!inSnapshots || line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    if (indent === 2) {
      parent = splitKey(line.trim().replace(/:(\s*\{\})?$/, ''));
      inEdges = false;
    } else if (indent === 4) {
      inEdges = EDGE_SECTIONS.has(line.trim().replace(/:$/, ''));
    } else if (indent === 6 && inEdges && parent) {
      const entry = /^ {6}(?:'([^']+)'|([^:\s]+)):\s+(.+)$/.exec(line);
      if (!entry) continue;
      const child = (entry[1] ?? entry[2]) as string;
      const value = unquote(entry[3] as string).replace(/\(.*$/, '');
      if (/^(link|file):/.test(value)) continue;
      // An alias (`string-width-cjs: string-width@4.2.3`) names its target package.
      const spec = value.lastIndexOf('@') > 0 ? `npm:${value}` : value;
      edges.push({ parent: parent[0], parentVersion: parent[1], child, spec });
    }
  }
  return edges;
}

/**
 * pnpm `overrides` that pin each edge (`parent@version>child`) to the
 * lockfile's version. Scoped to the parent's exact version, they hold even
 * where the lockfile has several versions of one package.
 */
export function lockedOverrides(lockfile: string): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const edge of lockedEdges(lockfile)) {
    overrides[`${edge.parent}@${edge.parentVersion}>${edge.child}`] = edge.spec;
  }
  return overrides;
}

/**
 * Every `name@version` in the `packages:` sections of a pnpm v9 lockfile
 * (peer suffixes dropped): what an install from it puts into the store.
 */
export function lockedPackages(lockfile: string): Set<string> {
  const found = new Set<string>();
  let inPackages = false;
  for (const line of lockfile.split('\n')) {
    if (/^\S/.test(line)) inPackages = line.startsWith('packages:');
    else if (inPackages && /^ {2}\S/.test(line)) {
      const key = splitKey(line.trim().replace(/:(\s*\{\})?$/, ''));
      if (key) found.add(`${key[0]}@${key[1]}`);
    }
  }
  return found;
}
