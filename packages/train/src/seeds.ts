/**
 * Independent, reproducible seeds from a run seed and a counter (epoch,
 * step): the epoch's shuffle and each step's dropout masks are functions of
 * where training is, so a resumed run draws exactly what an unbroken one would.
 */
export function mixSeed(seed: number, counter: number, stream = 0): number {
  let h =
    Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul((counter >>> 0) + 0x632be5ab, 0xc2b2ae35) ^ stream;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}
