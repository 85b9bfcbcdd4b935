/**
 * An integer with thousands separators, as papers print parameter counts.
 *
 * @example
 * ```ts
 * formatCount(138357544); // '138,357,544'
 * formatCount(1e30);      // '≈1.00000e+30 (above 2^53, not exact)'
 * ```
 */
export function formatCount(n: number): string {
  // Above 2^53 a double no longer holds every integer: printing digits would claim an exactness it lacks.
  if (Number.isFinite(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER)
    return `≈${n.toPrecision(6)} (above 2^53, not exact)`;
  const [whole = '', fraction] = String(Math.abs(n)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

const SI = ['', 'k', 'M', 'G', 'T', 'P'];
const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];

/**
 * A quantity with an SI prefix and its unit, e.g. MACs or FLOPs, never unlabelled.
 *
 * @example
 * ```ts
 * formatMetric(15470264320, 'MACs'); // '15.47 GMACs'
 * ```
 */
export function formatMetric(n: number, unit: string, digits = 2): string {
  return scaled(n, 1000, SI, digits) + unit;
}

/**
 * Bytes in SI units (MB = 10⁶ bytes), or binary ones (MiB = 2²⁰) with `{ binary: true }`.
 *
 * @example
 * ```ts
 * formatBytes(60950432);                     // '60.95 MB'
 * formatBytes(60950432, { binary: true });   // '58.13 MiB'
 * ```
 */
export function formatBytes(bytes: number, options: { binary?: boolean; digits?: number } = {}): string {
  return `${scaled(bytes, options.binary ? 1024 : 1000, options.binary ? BINARY : SI, options.digits ?? 2)}B`;
}

function scaled(n: number, base: number, prefixes: readonly string[], digits: number): string {
  let value = n;
  let i = 0;
  while (Math.abs(value) >= base && i < prefixes.length - 1) {
    value /= base;
    i++;
  }
  const text = i === 0 ? String(Math.round(value * 10 ** digits) / 10 ** digits) : value.toFixed(digits);
  return `${text} ${prefixes[i]}`;
}

/** Column alignment for {@link formatTable}: text to the left, numbers to the right. */
export type Align = 'left' | 'right';

/**
 * Rows as aligned columns under a header and a rule, the way Keras' and
 * torchinfo's summaries read.
 *
 * @example
 * ```ts
 * formatTable(['layer', 'params'], [['conv1', '1,792']], ['left', 'right']);
 * ```
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [line(header), rule, ...rows.map(line), rule].join('\n');
}
