import { ShapeError } from './errors.js';
import type { ReceptiveField } from './receptive-field.js';
import type { Shape } from './trace.js';
import { spatial } from './trace-layers.js';
import type { Field2 } from './trace-state.js';

/**
 * The output of concatenating branches on channels, from the branches'
 * output shapes alone; throws a `ShapeError` naming `name` when they
 * disagree on height and width. Containers that already know their
 * branches' outputs use it instead of tracing the branches again.
 *
 * @example
 * ```ts
 * concatOutput('inception3a', [28, 28, 192], [[28, 28, 64], [28, 28, 128]]); // [28, 28, 192]
 * ```
 */
export function concatOutput(name: string, input: Shape, outputs: readonly Shape[]): number[] {
  spatial(name, 'concat', input);
  if (outputs.length === 0) {
    throw new ShapeError(name, 'a concat needs at least one branch, received none', { branches: [] });
  }
  // Branches may downsample (Inception v3's grid reductions) but must agree with each other.
  const [oh, ow] = outputs[0] as number[];
  outputs.forEach((shape, i) => {
    if (shape.length !== 3 || shape[0] !== oh || shape[1] !== ow) {
      const all = outputs.map((s, j) => `branch ${j} gives [${s.join(', ')}]`).join(', ');
      throw new ShapeError(
        name,
        `concatenated branches must agree on height and width, but branch ${i} does not (${all}): give every branch the same stride and 'same' padding`,
        { input, outputs },
      );
    }
  });
  return [oh as number, ow as number, outputs.reduce((c, s) => c + (s[2] as number), 0)];
}

/** The smallest field covering every branch's field (they are centred windows). */
export function unionField(fields: Field2[]): Field2 {
  if (fields.some((f) => f === undefined)) return undefined;
  const axis = (k: 0 | 1): ReceptiveField => {
    const axes = fields.map((f) => (f as [ReceptiveField, ReceptiveField])[k]);
    const lo = Math.min(...axes.map((f) => f.start - (f.size - 1) / 2));
    const hi = Math.max(...axes.map((f) => f.start + (f.size - 1) / 2));
    return { size: hi - lo + 1, jump: (axes[0] as ReceptiveField).jump, start: (lo + hi) / 2 };
  };
  return [axis(0), axis(1)];
}
