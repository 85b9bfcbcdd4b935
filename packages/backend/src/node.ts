/**
 * @convkit/backend/node — Node-only helpers: writing the wasm backend's files
 * for a site to serve.
 *
 * @packageDocumentation
 */

export { writeWasmAssets } from './wasm/threaded-node.js';
