export type { ManifestNode, ManifestTest, ManifestValue, Suite } from './manifest.js';
export { hasTestdata, loadManifest, readTestTensor, testdataDir } from './manifest.js';
export type { OnnxTensor } from './tensor.js';
export { decodeTensor, tensorValues } from './tensor.js';
