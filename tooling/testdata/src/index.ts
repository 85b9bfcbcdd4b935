export { decodeGraph, type OnnxAttribute, type OnnxGraph, type OnnxNode, weightShapes } from './graph.js';
export { LENET5_C3 } from './lenet.js';
export type { ManifestNode, ManifestTest, ManifestValue, Suite } from './manifest.js';
export { hasTestdata, loadManifest, readInitializers, readTestTensor, testdataDir } from './manifest.js';
export type { OnnxTensor } from './tensor.js';
export { decodeInitializers, decodeTensor, tensorValues } from './tensor.js';
export type { WireField, WireValue } from './wire.js';
export { readFields, readVarint, strings, submessages, varints } from './wire.js';
