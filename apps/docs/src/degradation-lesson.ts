/**
 * The ResNet page's measured degradation experiment: plain and residual
 * CIFAR networks trained on a Fashion-MNIST subset by
 * scripts/degradation.mjs (degradation.json, committed), as curves in the
 * paper's convention (Fig. 1 and 6: thin lines training error, bold lines
 * test error) and as a table of each run's last epoch.
 */
import measured from './degradation.json';

export interface EpochPoint {
  epoch: number;
  trainError: number;
  validationError: number;
  trainLoss: number;
  validationLoss: number;
  seconds: number;
}

export interface Run {
  model: string;
  /** Every weight `summary` counts: the trainable parameters and batch norm's running mean and variance. */
  params: number;
  seconds: number;
  epochs: EpochPoint[];
}

export interface DegradationData {
  command: string;
  date: string;
  backend: string;
  node: string;
  cpus: number;
  loadAverage: { start: number[]; end?: number[] };
  dataset: string;
  train: number;
  test: number;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  complete: boolean;
  runs: Run[];
}

export const degradation = measured as DegradationData;

/** Plain nets in one colour family, residual ones in another; the deeper net of each darker. */
const COLOURS: Record<string, string> = {
  plain20: '#e6a04a',
  plain56: '#b3461e',
  resnet20: '#5aa0d8',
  resnet56: '#1d4f91',
};

export interface Curve {
  model: string;
  kind: 'training' | 'validation';
  colour: string;
  /** SVG polyline points in the chart's pixel space. */
  points: string;
  /** The last epoch's error in percent, for the label. */
  last: number;
}

export interface Chart {
  width: number;
  height: number;
  /** The plot area inside the axes. */
  plot: { left: number; top: number; right: number; bottom: number };
  curves: Curve[];
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

const percent = (x: number) => Math.round(x * 1000) / 10;

/** A y-axis top at the next multiple of 10 % above every error, so the curves fill the height. */
function yMax(runs: readonly Run[]): number {
  const highest = Math.max(...runs.flatMap((r) => r.epochs.flatMap((e) => [e.trainError, e.validationError])));
  return Math.min(100, Math.ceil((highest * 100 + 1e-9) / 10) * 10);
}

/** Every run's training and validation error per epoch as polylines on a `width`×`height` chart. */
export function degradationChart(data: DegradationData = degradation, width = 640, height = 320): Chart {
  if (data.runs.length === 0) throw new RangeError('degradation.json has no runs: rerun scripts/degradation.mjs');
  const plot = { left: 48, top: 12, right: width - 12, bottom: height - 36 };
  const epochs = Math.max(...data.runs.map((r) => r.epochs.length));
  const top = yMax(data.runs);
  const x = (epoch: number) => plot.left + ((epoch - 1) / Math.max(1, epochs - 1)) * (plot.right - plot.left);
  const y = (error: number) => plot.bottom - ((error * 100) / top) * (plot.bottom - plot.top);
  const at = (value: number) => value.toFixed(1);
  const curves = data.runs.flatMap((run) =>
    (['training', 'validation'] as const).map((kind) => {
      const value = (e: EpochPoint) => (kind === 'training' ? e.trainError : e.validationError);
      return {
        model: run.model,
        kind,
        colour: COLOURS[run.model] ?? '#666',
        points: run.epochs.map((e) => `${at(x(e.epoch))},${at(y(value(e)))}`).join(' '),
        last: percent(value(run.epochs.at(-1) as EpochPoint)),
      };
    }),
  );
  const xTicks = Array.from({ length: epochs }, (_, i) => ({ x: x(i + 1), label: String(i + 1) }));
  const yTicks = Array.from({ length: top / 10 + 1 }, (_, i) => ({ y: y(i / 10), label: `${i * 10} %` }));
  return { width, height, plot, curves, xTicks, yTicks };
}

export interface FinalRow {
  model: string;
  trainError: number;
  validationError: number;
  minutes: number;
}

/** Each run's last epoch, errors in percent (one decimal), in the order of the file. */
export function finalErrors(data: DegradationData = degradation): FinalRow[] {
  return data.runs.map((run) => {
    const last = run.epochs.at(-1) as EpochPoint;
    return {
      model: run.model,
      trainError: percent(last.trainError),
      validationError: percent(last.validationError),
      minutes: Math.round(run.seconds / 6) / 10,
    };
  });
}
