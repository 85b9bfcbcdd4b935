/** Where a network source first goes past the editor's limits. */
export type LimitBreach = { kind: 'nesting'; layer: number; depth: number } | { kind: 'layers'; count: number };

function isLayerLike(value: unknown): value is { type: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === 'string'
  );
}

/**
 * Walks the top-level layers' JSON before any layer is built, counting every
 * layer (anything `{ type: string, … }`, however a container holds its
 * children: `layers`, `branches`, `head` or a downstream key) and how deep
 * they nest. A link is untrusted input: without these caps a short link can
 * build a huge or deeply nested model. Iterative, so deep JSON cannot
 * overflow the stack, and it stops at the first breach.
 */
export function checkLimits(
  layers: readonly unknown[],
  maxNesting: number,
  maxLayers: number,
): LimitBreach | undefined {
  let count = 0;
  for (let top = 0; top < layers.length; top++) {
    // [value, layer depth of the nearest enclosing layer (0 outside any)]
    const stack: [unknown, number][] = [[layers[top], 0]];
    while (stack.length > 0) {
      const [value, outer] = stack.pop() as [unknown, number];
      if (typeof value !== 'object' || value === null) continue;
      let depth = outer;
      if (isLayerLike(value)) {
        depth = outer + 1;
        if (depth > maxNesting) return { kind: 'nesting', layer: top, depth: deepest(layers[top]) };
        if (++count > maxLayers) return { kind: 'layers', count };
      }
      for (const child of Object.values(value)) stack.push([child, depth]);
    }
  }
  return undefined;
}

/** The nesting depth of one top-level layer, for the message (iterative, as above). */
function deepest(layer: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[layer, 0]];
  while (stack.length > 0) {
    const [value, outer] = stack.pop() as [unknown, number];
    if (typeof value !== 'object' || value === null) continue;
    const depth = isLayerLike(value) ? outer + 1 : outer;
    max = Math.max(max, depth);
    for (const child of Object.values(value)) stack.push([child, depth]);
  }
  return max;
}
