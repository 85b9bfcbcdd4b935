/**
 * @convkit/zoo/lecture — the numbers of the classic CNN lecture, computed by
 * the library: worked convolutions, output sizes, padding, parameter counts,
 * receptive fields and the architectures' tables, each from `@convkit/shape`'s
 * formulas or `summary(getModel(…))`, never typed in. Every function returns
 * plain data; the docs site renders it as pages and `convkit lecture` as text.
 *
 * @packageDocumentation
 */
export type { ConvStep } from './convolution.js';
export { convolutionSteps, FILTERS_3X3, IMAGE_6X6, mapOf, stepFormula } from './convolution.js';
export type { OutputSizeCase, OutputSizeRow } from './geometry.js';
export { OUTPUT_SIZE_CASES, outputSizeCases, samePaddingRows, stackedFields } from './geometry.js';
export type { GoogLeNetStage } from './googlenet.js';
export { GOOGLENET_PAPER, googlenetTable } from './googlenet.js';
export type { ModelRow, ModelTableOptions } from './model-table.js';
export { modelTable } from './model-table.js';
export { alexnetConv1Params, parameterExample } from './parameters.js';
export { CS231N_VGG16, VGG_PAPER_PARAMS_M, vgg16Activations, vggConfigurations, vggMemory } from './vgg.js';
