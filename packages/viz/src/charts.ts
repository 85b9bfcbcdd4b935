/**
 * @convkit/viz/charts — training curves, confusion matrices and histograms
 * as SVG strings, rendered by Apache ECharts' server-side SVG renderer (no
 * DOM needed), the same in Node and the browser.
 *
 * A separate entry because ECharts is large (68 MB installed): it is an
 * optional peer dependency (`npm install echarts`) that only this entry
 * imports, so `@convkit/viz` alone (filters, feature maps, PNG) never loads it.
 *
 * @packageDocumentation
 */

export type { ConfusionMatrixOptions } from './charts/confusion.js';
export { confusionMatrixSvg } from './charts/confusion.js';
export type { Histogram, HistogramOptions } from './charts/histogram.js';
export { histogram, histogramSvg } from './charts/histogram.js';
export type { LayerHistogram, LayerHistogramOptions } from './charts/layer-histograms.js';
export { activationHistograms, weightHistograms } from './charts/layer-histograms.js';
export type { ChartOptions } from './charts/render.js';
export { PALETTE, renderChart } from './charts/render.js';
export type { EpochRecord, TrainingCurvesOptions } from './charts/training-curves.js';
export { trainingCurves, trainingCurvesOption } from './charts/training-curves.js';
