/**
 * Stands in for the `webgpu` package (Dawn, Node only) in the site's
 * bundles: @convkit/backend imports it only under Node, where a browser has
 * `navigator.gpu` instead.
 */
export const globals: Record<string, unknown> = {};

export function create(): never {
  throw new Error('the webgpu package (Dawn) is for Node: in a browser WebGPU is navigator.gpu');
}
