// The bench's seeded generator is @convkit/shape's mulberry32 (one copy in the
// workspace), under the name the bench's callers use.
export { mulberry32 as seededRandom } from '@convkit/shape';

/** Uniform values in [-limit, limit). */
export function uniformArray(count: number, limit: number, random: () => number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * random() - 1) * limit;
  return out;
}
