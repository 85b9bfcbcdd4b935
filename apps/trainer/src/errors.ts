/** A mistake in how convkit was called: shown with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Levenshtein distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/** The known names closest to `name` (prefix matches first), at most `limit`. */
export function closest(name: string, known: readonly string[], limit = 3): string[] {
  const lower = name.toLowerCase();
  const prefixed = known.filter((k) => k.startsWith(lower) || lower.startsWith(k));
  if (prefixed.length > 0) return prefixed.sort().slice(0, limit);
  return known
    .map((k) => ({ k, d: k.startsWith(lower) || lower.startsWith(k) ? 0 : distance(lower, k) }))
    .filter(({ d, k }) => d <= Math.max(2, Math.floor(k.length / 3)))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, limit)
    .map(({ k }) => k);
}
