/**
 * @convkit/example-layer — layers written outside @convkit/layers with the
 * public API only. Importing this module registers the `scale` and
 * `squeezeExcite` types, squeezeExcite's ONNX exporter and both layers'
 * PyTorch forms (pytorch.ts).
 *
 * @packageDocumentation
 */
import './pytorch.js';

export type { ScaleConfig } from './scale.js';
export { Scale } from './scale.js';
export type { SqueezeExciteConfig } from './squeeze-excite.js';
export { SqueezeExcite } from './squeeze-excite.js';
