/**
 * @convkit/example-layer — a layer written outside @convkit/layers with its
 * public API only. Importing this module registers the `scale` type.
 *
 * @packageDocumentation
 */
export type { ScaleConfig } from './scale.js';
export { Scale } from './scale.js';
