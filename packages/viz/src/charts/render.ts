import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TitleComponent, VisualMapComponent } from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { escapeXml } from '../xml.js';

/**
 * Okabe & Ito's eight colours (2008): distinguishable with the common forms
 * of colour blindness, and in grayscale by their lightness.
 */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

/** Size and text of a chart. */
export interface ChartOptions {
  /** Pixels. Default 640. */
  width?: number;
  /** Pixels. Default depends on the chart. */
  height?: number;
  /** Shown on top, and the SVG's accessible name (`<title>`, `aria-label`). */
  title?: string;
  /** The SVG's `<desc>`. Default: a sentence saying what is drawn. */
  description?: string;
}

let installed = false;

/** Registers the echarts parts we draw with, once, on first use (keeps importing free of side effects). */
function install(): void {
  if (installed) return;
  use([
    LineChart,
    BarChart,
    HeatmapChart,
    GridComponent,
    TitleComponent,
    LegendComponent,
    VisualMapComponent,
    AriaComponent,
    SVGRenderer,
  ]);
  installed = true;
}

/**
 * An echarts option rendered to an SVG string by echarts' server-side SVG
 * renderer (no DOM, the same in Node and the browser), with animation off,
 * a white background, the Okabe–Ito palette, and `role="img"`, `aria-label`,
 * `<title>` and `<desc>` on the root element.
 *
 * @example
 * ```ts
 * renderChart({ xAxis: { type: 'value' }, yAxis: { type: 'value' }, series: [{ type: 'line', data: [[0, 1], [1, 0]] }] },
 *   { width: 400, height: 300, title: 'A line', description: 'One line from (0, 1) to (1, 0).' });
 * ```
 */
export function renderChart(
  option: EChartsCoreOption,
  { width, height, title, description }: Required<Pick<ChartOptions, 'width' | 'height' | 'title' | 'description'>>,
): string {
  install();
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      color: PALETTE,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'sans-serif' },
      aria: { enabled: true, decal: { show: false } },
      ...option,
    });
    const svg = chart.renderToSVGString();
    const open = svg.indexOf('>', svg.indexOf('<svg'));
    const label = escapeXml(title);
    return `${svg.slice(0, open)} role="img" aria-label="${label}">\n<title>${label}</title>\n<desc>${escapeXml(description)}</desc>${svg.slice(open + 1)}`;
  } finally {
    chart.dispose();
  }
}
