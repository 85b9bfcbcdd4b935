import { ConfigError } from '@convkit/layers';
import type { EChartsCoreOption } from 'echarts/core';
import { viridis } from '../colormap.js';
import { type ChartOptions, renderChart } from './render.js';

/** Options of {@link confusionMatrixSvg}. */
export interface ConfusionMatrixOptions extends ChartOptions {
  /** `'none'` (default) shows counts; `'row'` the fraction of each true class (rows sum to 1). */
  normalize?: 'none' | 'row';
  /** Write the value in each cell. Default: up to 20 classes. */
  labels?: boolean;
}

/**
 * A confusion matrix as an SVG heatmap: rows are the true classes (top to
 * bottom), columns the predicted ones, colour on the viridis scale with a
 * legend, values in the cells for up to 20 classes.
 *
 * @example
 * ```ts
 * confusionMatrixSvg([[50, 2], [5, 43]], ['cat', 'dog'], { normalize: 'row' });
 * ```
 */
export function confusionMatrixSvg(
  matrix: readonly (readonly number[])[],
  classNames: readonly string[],
  options: ConfusionMatrixOptions = {},
): string {
  const n = classNames.length;
  const normalize = options.normalize ?? 'none';
  const cells = confusionCells(matrix, n, normalize);
  const max = Math.max(1e-12, ...cells.map((c) => c[2]));
  const side = Math.max(24, Math.min(48, Math.floor(480 / Math.max(n, 1))));
  const width = options.width ?? 160 + n * side + 120;
  const height = options.height ?? 120 + n * side + 80;
  const title = options.title ?? 'Confusion matrix';
  const total = cells.reduce((s, c) => s + (normalize === 'row' ? 0 : c[2]), 0);
  const description = `Heatmap of ${n} true classes (rows) against ${n} predicted classes (columns)${normalize === 'row' ? ', each row as fractions of its class' : `, ${total} examples`}.`;
  const option = heatmapOption(classNames, cells, { max, normalize, labels: options.labels ?? n <= 20, title });
  return renderChart(option, { width, height, title, description: options.description ?? description });
}

/** The heatmap's cells `[predicted, true, value]`, row by row, after checking the matrix is n×n of counts ≥ 0. */
function confusionCells(
  matrix: readonly (readonly number[])[],
  n: number,
  normalize: 'none' | 'row',
): [number, number, number][] {
  const op = 'confusionMatrixSvg';
  const rows: readonly (readonly number[])[] = matrix; // Array.isArray below would narrow `matrix` to any[]
  if (!Array.isArray(matrix) || matrix.length !== n || matrix.some((row) => row?.length !== n)) {
    throw new ConfigError(
      op,
      `needs a ${n}×${n} matrix for ${n} class names, received ${Array.isArray(matrix) ? `${matrix.length} rows of lengths [${matrix.map((r) => r?.length).join(', ')}]` : String(matrix)}`,
    );
  }
  const cells: [number, number, number][] = [];
  rows.forEach((row, y) => {
    const total = row.reduce((a, b) => a + b, 0);
    row.forEach((v, x) => {
      if (!Number.isFinite(v) || v < 0) {
        throw new ConfigError(op, `entry [${y}][${x}] must be a finite count ≥ 0, received ${v}`);
      }
      cells.push([x, y, normalize === 'row' ? (total > 0 ? v / total : 0) : v]);
    });
  });
  return cells;
}

interface HeatmapLook {
  max: number;
  normalize: 'none' | 'row';
  labels: boolean;
  title: string;
}

/** The ECharts option: class names on both axes (true classes top to bottom), viridis scale, values in the cells. */
function heatmapOption(
  classNames: readonly string[],
  cells: [number, number, number][],
  { max, normalize, labels, title }: HeatmapLook,
): EChartsCoreOption {
  const format = (v: number) => (normalize === 'row' ? v.toFixed(2) : String(v));
  return {
    title: { text: title, left: 'center' },
    grid: { left: 140, right: 110, top: 70, bottom: 70, containLabel: false },
    xAxis: {
      type: 'category',
      data: [...classNames],
      name: 'predicted',
      nameLocation: 'middle',
      nameGap: 40,
      axisLabel: { interval: 0, rotate: classNames.length > 8 ? 45 : 0 },
      splitArea: { show: false },
    },
    yAxis: {
      type: 'category',
      data: [...classNames],
      name: 'true',
      nameLocation: 'middle',
      nameGap: 110,
      inverse: true,
      axisLabel: { interval: 0 },
    },
    visualMap: {
      min: 0,
      max,
      calculable: false,
      orient: 'vertical',
      right: 10,
      top: 'middle',
      text: [format(max), '0'],
      inRange: { color: Array.from({ length: 9 }, (_, i) => rgbHex(viridis(i / 8))) },
    },
    series: [
      {
        type: 'heatmap',
        name: normalize === 'row' ? 'fraction of true class' : 'count',
        data: cells,
        label: {
          show: labels,
          formatter: (p: { value: [number, number, number] }) => format(p.value[2]),
          color: '#000000',
          textBorderColor: '#ffffff',
          textBorderWidth: 2,
        },
      },
    ],
  };
}

function rgbHex([r, g, b]: [number, number, number]): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
