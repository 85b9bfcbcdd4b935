/**
 * Edit distance between two short names where swapping two neighbours
 * costs one edit, like inserting, deleting or changing a letter (optimal
 * string alignment): `bais` is one edit from `bias`.
 */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known name a mistyped one most likely meant (`stides` → `stride`,
 * `bais` → `bias`, `Kernel` → `kernel`, `pad` → `padding`), or undefined when none is close:
 * a wrong suggestion is worse than none, so one-letter names need an exact
 * case-insensitive match.
 */
export function closeName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { name: string; d: number } | undefined;
  for (const candidate of known) {
    const target = candidate.toLowerCase();
    const d = target === lower ? 0 : lower.length >= 3 && target.startsWith(lower) ? 1 : distance(lower, target);
    const near = d === 0 || (d <= Math.max(1, Math.floor(target.length / 3)) && d < target.length);
    if (near && (best === undefined || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}
