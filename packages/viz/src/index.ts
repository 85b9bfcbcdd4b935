/**
 * @convkit/viz — pictures of what a CNN learned: filter grids, feature
 * maps, top-activating patches, filter evolution, training curves,
 * confusion matrices, histograms, architecture diagrams, shift
 * equivariance and projections to input pixels (deconvnet, guided
 * backpropagation, saliency, occlusion), as RGBA images (PNG, canvas)
 * and SVG strings, the same in Node and the browser. Tensors are NHWC,
 * kernels HWIO. File writing is in `@convkit/viz/node`; the ECharts charts
 * (training curves, confusion matrices, histograms) are in
 * `@convkit/viz/charts`.
 *
 * @packageDocumentation
 */

// Diagrams (charts drawn with ECharts are in `@convkit/viz/charts`, so this entry never loads ECharts)
export type { ArchitectureOptions } from './architecture.js';
export { architectureSvg } from './architecture.js';
// Images, colour and encoding
export type { Colormap, ColormapName, Rgb } from './colormap.js';
export { colormap, diverging, gray, viridis } from './colormap.js';
// Equivariance and invariance
export type {
  EquivarianceResult,
  InvarianceRow,
  PoolingInvarianceOptions,
  Region,
  Shift,
  ShiftEquivarianceOptions,
} from './equivariance.js';
export { poolingInvariance, shiftEquivariance } from './equivariance.js';
// What a network learned
export type { EvolutionRow, FilterEvolutionOptions } from './evolution.js';
export { FilterEvolution } from './evolution.js';
export type { FeatureMapsOptions, FeatureMapsResult } from './feature-maps.js';
export { colorbar, featureMaps } from './feature-maps.js';
export type { FilterGridOptions, FilterGridResult, FilterNormalize, FilterTile } from './filters.js';
export { filterGrid } from './filters.js';
export type { GifOptions } from './gif.js';
export { encodeGif } from './gif.js';
export type { TileGrid, TileGridOptions, TilePlacement } from './grid.js';
export { sampleIndices, tileGrid } from './grid.js';
export type { Rgba, RgbaImage } from './image.js';
export { createImage, drawImage, pixelAt, toImageData, upscale } from './image.js';
export { activationAt, fieldAt, layerKernel, layerNames, layerPath } from './model-path.js';
export { decodePng, encodePng } from './png.js';
// Projections to input pixels: deconvnet, guided backpropagation, saliency, occlusion
export type { DeconvnetOptions, DeconvnetResult } from './projections/deconvnet.js';
export { deconvnet } from './projections/deconvnet.js';
export type { HeatmapImageOptions, ProjectionImageOptions } from './projections/draw.js';
export { heatmapImage, projectionImage } from './projections/draw.js';
export type { OcclusionOptions, OcclusionResult } from './projections/occlusion.js';
export { occlusion } from './projections/occlusion.js';
export type { GradientResult, GradientTarget } from './projections/saliency.js';
export { guidedBackprop, saliency } from './projections/saliency.js';
export type { ChosenUnit, ProjectionData, UnitTarget } from './projections/target.js';
export { shiftImages } from './shift.js';
export type { TensorInput, TensorLike } from './tensor-data.js';
export { TopK } from './top-k.js';
export type { Box, ImageSource, PatchHit, TopPatchesOptions, TopPatchesResult } from './top-patches.js';
export { fieldBox, topPatches } from './top-patches.js';
// The Zeiler–Fergus figure: top inputs of units, projected back to pixels beside their patches
export type {
  ZeilerFergusHit,
  ZeilerFergusOptions,
  ZeilerFergusResult,
  ZeilerFergusUnit,
} from './zeiler-fergus.js';
export { zeilerFergus } from './zeiler-fergus.js';
