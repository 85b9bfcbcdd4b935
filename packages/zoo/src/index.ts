/**
 * @convkit/zoo — the classic CNN architectures as data plus one builder per
 * family, in a registry with metadata (paper, reported errors, deviations).
 * Models come back unbuilt: `summary` works without allocating weights.
 *
 * @packageDocumentation
 */
import './models.js';

export type { DenseNetConfig, DenseNetOptions } from './densenet.js';
export { densenet, densenet121Config } from './densenet.js';
export { LENET5_C3 } from './lenet.js';
export { MOBILENET_V1_BLOCKS, MOBILENET_V2_SETTINGS, mobilenetV1, mobilenetV2 } from './mobilenet.js';
export type { EuclideanRbfConfig } from './rbf.js';
export { EuclideanRbf } from './rbf.js';
export type { ModelCard, ModelDefinition, ModelInfo, ModelOptions, ReportedResult } from './registry.js';
export { getModel, listModels, modelCard, modelNames, registerModel } from './registry.js';
export type { ResNetBlock, ResNetConfig, ResNetOptions } from './resnet.js';
export { resnet, resnetConfigs } from './resnet.js';
export type { CifarResNetDepth, CifarResNetOptions } from './resnet-cifar.js';
export { cifarResnet, cifarResnetDepths } from './resnet-cifar.js';
export type { ShuffleNetV1Options } from './shufflenet.js';
export { SHUFFLENET_V1_G4_STAGES, SHUFFLENET_V2_X1_STAGES, shufflenetV1, shufflenetV2 } from './shufflenet.js';
export type { Fire, SqueezeConfig, SqueezeEntry, SqueezeNetOptions, SqueezeVersion } from './squeezenet.js';
export { squeezenet, squeezenetCfgs } from './squeezenet.js';
export { cfgs as vggConfigs, vgg } from './vgg.js';
