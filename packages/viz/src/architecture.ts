import { ConfigError } from '@convkit/layers';
import { formatCount, formatMetric, type TraceResult, type TraceRow } from '@convkit/shape';
import { escapeXml } from './xml.js';

/** Options of {@link architectureSvg}. */
export interface ArchitectureOptions {
  /** The diagram's title and accessible name. Default `'Architecture'`. */
  title?: string;
  /** Pixels. Default 560. */
  width?: number;
}

/** Box fill and outline per layer kind: pale Okabe–Ito hues, black text. */
const STYLE: Record<string, [fill: string, stroke: string]> = {
  conv: ['#d4e9f7', '#0072B2'],
  pool: ['#fbe0cc', '#D55E00'],
  globalPool: ['#fbe0cc', '#D55E00'],
  dense: ['#cdeee3', '#009E73'],
  concat: ['#f3dceb', '#CC79A7'],
  tap: ['#f3dceb', '#CC79A7'],
  // Merges (residual add, gating multiply) join branches as a concat does.
  add: ['#f3dceb', '#CC79A7'],
  multiply: ['#f3dceb', '#CC79A7'],
  batchNorm: ['#fdf6c8', '#E69F00'],
  lrn: ['#fdf6c8', '#E69F00'],
};
const OTHER: [string, string] = ['#eeeeee', '#555555'];

/**
 * The model as a column of boxes, input at the top, one per layer of
 * `summary()` (or `trace()`): name and type, output shape (per image,
 * channels last) and parameter count, MACs for layers that compute; box
 * widths grow with the logarithm of the output size, like the tapering
 * LeNet-5 and AlexNet figures. Hand-written SVG, no dependencies.
 *
 * @example
 * ```ts
 * const svg = architectureSvg(summary(model, { input: [32, 32, 1] }), { title: 'LeNet-5' });
 * ```
 */
export function architectureSvg(result: TraceResult, options: ArchitectureOptions = {}): string {
  if (!result || !Array.isArray(result.rows) || !Array.isArray(result.input)) {
    throw new ConfigError('architectureSvg', `needs summary(model, { input }) or trace(…), received ${String(result)}`);
  }
  const title = options.title ?? 'Architecture';
  const width = options.width ?? 560;
  const boxH = 44;
  const gap = 22;
  const top = 50;
  const entries: { label: string; detail: string; size: number; kind: string; name: string }[] = [
    { label: 'input', detail: shapeText(result.input), size: count(result.input), kind: 'input', name: 'input' },
    ...result.rows.map((r) => ({
      label: `${r.name} · ${r.kind ?? r.type}${r.branches ? ` (${r.branches.length} branches)` : ''}`,
      detail: detailOf(r),
      size: r.activations,
      kind: r.type,
      name: r.name,
    })),
  ];
  const largest = Math.log2(Math.max(2, ...entries.map((e) => e.size)));
  const boxWidth = (size: number) => Math.round(180 + (width - 220) * (Math.log2(Math.max(1, size)) / largest));
  const height = top + entries.length * (boxH + gap) + 40;
  const totals = result.totals
    ? `${formatCount(result.totals.params)} parameters · ${formatMetric(result.totals.macs, 'MACs')} per image`
    : '';
  const parts: string[] = [];
  entries.forEach((e, i) => {
    const w = Math.min(width - 20, boxWidth(e.size));
    const x = (width - w) / 2;
    const y = top + i * (boxH + gap);
    const [fill, stroke] = STYLE[e.kind] ?? OTHER;
    parts.push(
      `<g class="layer" data-layer="${escapeXml(e.name)}">`,
      `<rect x="${x}" y="${y}" width="${w}" height="${boxH}" rx="6" fill="${fill}" stroke="${stroke}" stroke-width="1.5"/>`,
      `<text x="${width / 2}" y="${y + 18}" text-anchor="middle" font-weight="bold">${escapeXml(e.label)}</text>`,
      `<text x="${width / 2}" y="${y + 35}" text-anchor="middle">${escapeXml(e.detail)}</text>`,
      '</g>',
    );
    if (i > 0) {
      parts.push(
        `<line x1="${width / 2}" y1="${y - gap + 2}" x2="${width / 2}" y2="${y - 3}" stroke="#333333" stroke-width="1.5" marker-end="url(#arrow)"/>`,
      );
    }
  });
  const description = `Diagram of ${result.rows.length} layers from input ${shapeText(result.input)} to output ${shapeText(result.output)}${totals ? `; ${totals}` : ''}.`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L10 5L0 10z" fill="#333333"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="28" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    ...parts,
    totals ? `<text x="${width / 2}" y="${height - 16}" text-anchor="middle">${escapeXml(totals)}</text>` : '',
    '</svg>',
  ]
    .filter(Boolean)
    .join('\n');
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: readonly number[]): string {
  return shape.join('×');
}

function detailOf(row: TraceRow): string {
  const params = row.params.trainable + row.params.nonTrainable;
  const parts = [shapeText(row.outputShape), `${formatCount(params)} params`];
  if (row.macs > 0) parts.push(formatMetric(row.macs, 'MACs'));
  return parts.join(' · ');
}
