import { ConfigError } from '@convkit/layers';
import { type ChartOptions, renderChart } from './render.js';

/** One epoch of a training history; every metric is optional. Errors are fractions (0.25 = 25%). */
export interface EpochRecord {
  epoch: number;
  trainLoss?: number;
  validationLoss?: number;
  top1Error?: number;
  top5Error?: number;
  lr?: number;
}

/** Options of {@link trainingCurves}. */
export interface TrainingCurvesOptions extends ChartOptions {
  /** Draw the learning rate on a log axis (when every rate is positive). Default true. */
  logLr?: boolean;
}

type Metric = Exclude<keyof EpochRecord, 'epoch'>;

/** The series: name, panel, colour (Okabe–Ito) and dash, fixed so a metric looks the same in every chart. */
const SERIES: { key: Metric; name: string; panel: 'loss' | 'error' | 'lr'; color: string; dashed: boolean }[] = [
  { key: 'trainLoss', name: 'train loss', panel: 'loss', color: '#0072B2', dashed: false },
  { key: 'validationLoss', name: 'validation loss', panel: 'loss', color: '#D55E00', dashed: true },
  { key: 'top1Error', name: 'top-1 error', panel: 'error', color: '#009E73', dashed: false },
  { key: 'top5Error', name: 'top-5 error', panel: 'error', color: '#CC79A7', dashed: true },
  { key: 'lr', name: 'learning rate', panel: 'lr', color: '#000000', dashed: false },
];

const AXIS_NAMES = { loss: 'loss', error: 'error', lr: 'learning rate' };

/** Panels stacked top to bottom: the chart's title and legend above, a gap for each panel's epoch axis below it. */
const TOP = 90;
const GAP = 60;
const PANEL_HEIGHT = 200;

/**
 * Training curves as an SVG string: a panel for the losses (train solid,
 * validation dashed), one for top-1 / top-5 error and one for the learning
 * rate (log axis), each only when the history has its values; epochs on
 * every x axis.
 *
 * @example
 * ```ts
 * const svg = trainingCurves([
 *   { epoch: 1, trainLoss: 0.9, validationLoss: 1.0, top1Error: 0.3, lr: 0.1 },
 *   { epoch: 2, trainLoss: 0.5, validationLoss: 0.6, top1Error: 0.2, lr: 0.01 },
 * ]);
 * ```
 */
export function trainingCurves(history: readonly EpochRecord[], options: TrainingCurvesOptions = {}): string {
  const present = presentSeries(history);
  const panels = (['loss', 'error', 'lr'] as const).filter((p) => present.some((s) => s.panel === p));
  const title = options.title ?? 'Training curves';
  const width = options.width ?? 640;
  const height = options.height ?? TOP + panels.length * (PANEL_HEIGHT + GAP);
  const logLr = (options.logLr ?? true) && history.every((r) => r.lr === undefined || r.lr > 0);
  const epochs = history.map((r) => r.epoch);
  const whole = epochs.every((e) => Number.isInteger(e));
  const description = `Line chart of ${present.map((s) => s.name).join(', ')} over ${history.length} epochs (${Math.min(...epochs)} to ${Math.max(...epochs)}).`;

  return renderChart(
    {
      title: { text: title, left: 'center' },
      legend: { top: 40, data: present.map((s) => s.name) },
      ...panelAxes(panels, height, whole, logLr),
      series: lineSeries(history, present, panels),
    },
    { width, height, title, description: options.description ?? description },
  );
}

type Series = (typeof SERIES)[number];
type Panel = Series['panel'];

/** The series the history has values for, after checking it is a non-empty list of records with numeric epochs. */
function presentSeries(history: readonly EpochRecord[]): Series[] {
  const op = 'trainingCurves';
  if (!Array.isArray(history) || history.length === 0) {
    throw new ConfigError(op, `needs at least one epoch record, received ${JSON.stringify(history)}`);
  }
  history.forEach((r, i) => {
    if (!Number.isFinite(r?.epoch)) {
      throw new ConfigError(op, `record ${i} needs a numeric epoch, received ${JSON.stringify(r)}`);
    }
  });
  const present = SERIES.filter((s) => history.some((r) => r[s.key] !== undefined));
  if (present.length === 0) {
    throw new ConfigError(
      op,
      `no metric to draw in ${history.length} records: give trainLoss, validationLoss, top1Error, top5Error or lr`,
    );
  }
  return present;
}

/** One grid per panel with its epoch axis and its value axis (error from 0, the learning rate on a log axis). */
function panelAxes(panels: readonly Panel[], height: number, whole: boolean, logLr: boolean) {
  const inner = (height - TOP - panels.length * GAP) / panels.length;
  // Tick labels without float noise (0.30000000000000004, 0.00009999…).
  const tick = (v: number) => String(Number(v.toPrecision(4)));
  return {
    grid: panels.map((_, i) => ({ left: 80, right: 30, top: TOP + i * (inner + GAP), height: inner })),
    xAxis: panels.map((_, i) => ({
      type: 'value',
      gridIndex: i,
      name: 'epoch',
      nameLocation: 'middle',
      nameGap: 25,
      min: 'dataMin',
      max: 'dataMax',
      ...(whole ? { minInterval: 1 } : {}),
      axisLabel: { formatter: tick },
    })),
    yAxis: panels.map((p, i) => ({
      type: p === 'lr' && logLr ? 'log' : 'value',
      gridIndex: i,
      name: AXIS_NAMES[p],
      nameLocation: 'middle',
      nameGap: 55,
      scale: p !== 'error',
      ...(p === 'error' ? { min: 0 } : {}),
      axisLabel: { formatter: tick },
    })),
  };
}

/** One line per present series, in its panel; a value that is not finite (NaN loss) is a gap. */
function lineSeries(history: readonly EpochRecord[], present: readonly Series[], panels: readonly Panel[]) {
  return present.map((s) => {
    const data = history
      .filter((r) => r[s.key] !== undefined)
      .map((r) => [r.epoch, Number.isFinite(r[s.key]) ? r[s.key] : null]);
    const panel = panels.indexOf(s.panel);
    return {
      type: 'line',
      name: s.name,
      data,
      xAxisIndex: panel,
      yAxisIndex: panel,
      color: s.color,
      lineStyle: { type: s.dashed ? 'dashed' : 'solid', width: 2 },
      showSymbol: data.length <= 100,
      showAllSymbol: true,
      symbol: s.dashed ? 'triangle' : 'circle',
      symbolSize: 5,
    };
  });
}
