import type { Layer } from './layer.js';

/** One layer met by {@link walkLayers}: the layer, where it sits, and how deep. */
export interface LayerVisit {
  layer: Layer;
  /** 0 for the model itself, 1 for its children, … */
  depth: number;
  /** The visit of the container holding it; `undefined` for the model. */
  parent: LayerVisit | undefined;
  /** Its position among its container's children (0 for the model). */
  index: number;
  /** The layer names from the model down to this layer (built when read, O(depth)). */
  readonly path: string[];
}

/**
 * Every layer of a model, depth-first and pre-order (a container before its
 * children, children in order), each layer once, with its depth and path.
 * Follows the `children` of the `Layer` contract, so it opens sequential
 * models, inception branches, auxiliary heads and downstream containers
 * alike. Iterative and linear in the number of layers, however deep they nest.
 *
 * @example
 * ```ts
 * const model = sequential([inception({ c1: 8, c3reduce: 4, c3: 8, c5reduce: 2, c5: 4, poolProj: 4, name: 'inc' })]);
 * walkLayers(model).map((v) => v.layer.name);
 * // ['sequential', 'inc', 'inc/branch1', 'inc/1x1', 'inc/branch2', 'inc/3x3_reduce', …]
 * walkLayers(model).find((v) => v.layer.name === 'inc/3x3')?.path;
 * // ['sequential', 'inc', 'inc/branch2', 'inc/3x3']
 * ```
 */
export function walkLayers(model: Layer): LayerVisit[] {
  const visits: LayerVisit[] = [];
  const seen = new Set<Layer>();
  // Children are pushed in reverse so that they pop in order.
  const stack: LayerVisit[] = [visit(model, undefined, 0)];
  while (stack.length > 0) {
    const current = stack.pop() as LayerVisit;
    // A layer shared by two containers (or a cycle) is reported where it is first met.
    if (seen.has(current.layer)) continue;
    seen.add(current.layer);
    visits.push(current);
    const children = current.layer.children ?? [];
    for (let k = children.length - 1; k >= 0; k--) stack.push(visit(children[k] as Layer, current, k));
  }
  return visits;
}

function visit(layer: Layer, parent: LayerVisit | undefined, index: number): LayerVisit {
  return {
    layer,
    depth: parent ? parent.depth + 1 : 0,
    parent,
    index,
    get path() {
      const names: string[] = [];
      for (let v: LayerVisit | undefined = this; v; v = v.parent) names.push(v.layer.name);
      return names.reverse();
    },
  };
}
