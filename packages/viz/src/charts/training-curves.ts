import { ConfigError } from '@convkit/layers';
import type { EChartsCoreOption } from 'echarts/core';
import { type ChartOptions, renderChart } from './render.js';

/**
 * One epoch of a training history, field for field the `EpochRecord` that
 * `fit` (`@convkit/train`) reports, checkpoints keep and the trainer writes to
 * `metrics.jsonl`, so `trainingCurves(result.history)` needs no mapping. viz
 * may not import train (the arrows point from train to viz's own
 * dependencies), so the type is repeated here with the same names; the
 * trainer's tests fail to compile when the two drift apart. Every metric is
 * optional; errors are fractions (0.25 = 25%).
 */
export interface EpochRecord {
  /** 0-based, as `fit` counts; the chart draws a record at the end of its epoch, so the first is at 1. */
  epoch: number;
  lr?: number;
  trainLoss?: number;
  trainTop1Error?: number;
  validationLoss?: number;
  validationTop1Error?: number;
  validationTop5Error?: number;
  /** Not drawn; kept so a record from `fit` is this type as it is. */
  seconds?: number;
  /** Not drawn. */
  examplesPerSecond?: number;
}

/** Options of {@link trainingCurves}. */
export interface TrainingCurvesOptions extends ChartOptions {
  /** Draw the learning rate on a log axis (when every rate is positive). Default true. */
  logLr?: boolean;
}

type Metric = Exclude<keyof EpochRecord, 'epoch' | 'seconds' | 'examplesPerSecond'>;

/**
 * The series: name, panel, colour (Okabe–Ito) and line, fixed so a metric
 * looks the same in every chart: train solid blue, validation dashed
 * vermillion in both the loss and the error panel.
 */
const SERIES: { key: Metric; name: string; panel: 'loss' | 'error' | 'lr'; color: string; line: LineType }[] = [
  { key: 'trainLoss', name: 'train loss', panel: 'loss', color: '#0072B2', line: 'solid' },
  { key: 'validationLoss', name: 'validation loss', panel: 'loss', color: '#D55E00', line: 'dashed' },
  { key: 'trainTop1Error', name: 'train top-1 error', panel: 'error', color: '#0072B2', line: 'solid' },
  { key: 'validationTop1Error', name: 'validation top-1 error', panel: 'error', color: '#D55E00', line: 'dashed' },
  { key: 'validationTop5Error', name: 'validation top-5 error', panel: 'error', color: '#CC79A7', line: 'dotted' },
  { key: 'lr', name: 'learning rate', panel: 'lr', color: '#000000', line: 'solid' },
];
type LineType = 'solid' | 'dashed' | 'dotted';

const AXIS_NAMES = { loss: 'loss', error: 'error', lr: 'learning rate' };

/** Panels stacked top to bottom: the chart's title and legend above, a gap for each panel's epoch axis below it. */
const TOP = 90;
const GAP = 60;
const PANEL_HEIGHT = 200;

/**
 * Training curves as an SVG string: a panel for the losses (train solid,
 * validation dashed), one for the top-1 / top-5 errors and one for the
 * learning rate (log axis), each only when the history has its values.
 * Takes `fit`'s history as it is; epochs count from 1 on every x axis (a
 * record is drawn where its epoch ends).
 *
 * @example
 * ```ts
 * const { history } = await fit(model, { train, validation, epochs: 3 });
 * const svg = trainingCurves(history); // x axis 1, 2, 3
 * trainingCurves([
 *   { epoch: 0, trainLoss: 0.9, validationLoss: 1.0, validationTop1Error: 0.3, lr: 0.1 },
 *   { epoch: 1, trainLoss: 0.5, validationLoss: 0.6, validationTop1Error: 0.2, lr: 0.01 },
 * ]);
 * ```
 */
export function trainingCurves(history: readonly EpochRecord[], options: TrainingCurvesOptions = {}): string {
  const { present, epochs, width, height, title } = layout(history, options);
  const description = `Line chart of ${present.map((s) => s.name).join(', ')} over ${history.length} epochs (${Math.min(...epochs)} to ${Math.max(...epochs)}).`;
  return renderChart(trainingCurvesOption(history, options), {
    width,
    height,
    title,
    description: options.description ?? description,
  });
}

/**
 * The ECharts option {@link trainingCurves} renders: for drawing the same
 * chart interactively with your own ECharts instance (`chart.setOption(...)`),
 * at the height `trainingCurves` would use unless `options.height` says.
 *
 * @example
 * ```ts
 * const option = trainingCurvesOption(history);
 * echarts.init(element, null, { height: 350 + 260 * 2 }).setOption(option);
 * ```
 */
export function trainingCurvesOption(
  history: readonly EpochRecord[],
  options: TrainingCurvesOptions = {},
): EChartsCoreOption {
  const { present, panels, epochs, height, title } = layout(history, options);
  const logLr = (options.logLr ?? true) && history.every((r) => r.lr === undefined || r.lr > 0);
  return {
    title: { text: title, left: 'center' },
    legend: { top: 40, data: present.map((s) => s.name) },
    ...panelAxes(panels, height, epochs.every(Number.isInteger), logLr),
    series: lineSeries(history, present, panels),
  };
}

type Series = (typeof SERIES)[number];
type Panel = Series['panel'];

/** What both entry points need: the series and panels present, the x positions and the size. */
function layout(history: readonly EpochRecord[], options: TrainingCurvesOptions) {
  const present = presentSeries(history);
  const panels = (['loss', 'error', 'lr'] as const).filter((p) => present.some((s) => s.panel === p));
  return {
    present,
    panels,
    epochs: history.map(shownEpoch),
    title: options.title ?? 'Training curves',
    width: options.width ?? 640,
    height: options.height ?? TOP + panels.length * (PANEL_HEIGHT + GAP),
  };
}

// `fit` counts epochs from 0 (they index its history and checkpoints); people count from 1,
// and a record's figures hold at the end of its epoch, which is where `epoch + 1` puts them.
const shownEpoch = (r: EpochRecord) => r.epoch + 1;

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
      `no metric to draw in ${history.length} records: give trainLoss, trainTop1Error, validationLoss, validationTop1Error, validationTop5Error or lr`,
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
      .map((r) => [shownEpoch(r), Number.isFinite(r[s.key]) ? r[s.key] : null]);
    const panel = panels.indexOf(s.panel);
    return {
      type: 'line',
      name: s.name,
      data,
      xAxisIndex: panel,
      yAxisIndex: panel,
      color: s.color,
      lineStyle: { type: s.line, width: 2 },
      showSymbol: data.length <= 100,
      showAllSymbol: true,
      symbol: s.line === 'solid' ? 'circle' : 'triangle',
      symbolSize: 5,
    };
  });
}
