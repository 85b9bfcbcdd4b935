export type Align = 'left' | 'right';

export interface Table {
  headers: string[];
  rows: string[][];
  /** Per column; missing columns are left-aligned. */
  align: Align[];
}

/** A plain-text table for the terminal: padded columns, a rule under the header. */
export function renderText(table: Table): string {
  const widths = table.headers.map((h, i) => Math.max(width(h), ...table.rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    widths
      .map((w, i) => pad(cells[i] ?? '', w, table.align[i] ?? 'left'))
      .join('  ')
      .trimEnd();
  return [line(table.headers), widths.map((w) => '─'.repeat(w)).join('  '), ...table.rows.map(line)].join('\n');
}

/** A GitHub-flavoured markdown table; `|` inside cells is escaped. */
export function renderMarkdown(table: Table): string {
  const escapePipes = (s: string) => s.replaceAll('|', '\\|');
  const row = (cells: readonly string[]) =>
    `| ${table.headers.map((_, i) => escapePipes(cells[i] ?? '')).join(' | ')} |`;
  const rule = `|${table.headers.map((_, i) => ((table.align[i] ?? 'left') === 'right' ? '---:' : '---')).join('|')}|`;
  return [row(table.headers), rule, ...table.rows.map(row)].join('\n');
}

/** Display width: code points, so that ×, ² and → count as one column each. */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** Milliseconds with about three significant digits: 0.412, 8.20, 37.1, 1,540. */
export function formatMs(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US');
}

/** A ratio to the fastest: 1.00×, 4.53×, 12.3×, 1,234×. */
export function formatRatio(ratio: number): string {
  if (ratio < 10) return `${ratio.toFixed(2)}×`;
  if (ratio < 100) return `${ratio.toFixed(1)}×`;
  return `${Math.round(ratio).toLocaleString('en-US')}×`;
}

/** GFLOP/s with three significant digits at most. */
export function formatGflops(value: number): string {
  if (value < 1) return value.toFixed(3);
  if (value < 10) return value.toFixed(2);
  if (value < 100) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}
