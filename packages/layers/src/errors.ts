/**
 * Thrown for a layer option that cannot work: an unknown activation or
 * initializer, a rate outside [0, 1), a duplicate registration, a layer used
 * before it is built. The message names the layer and repeats the value.
 * Geometry that cannot exist throws `ShapeError` (from `@convkit/shape`).
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** The layer (or registry) that rejected the option. */
  readonly layer: string;

  constructor(layer: string, message: string) {
    super(`${layer}: ${message}`);
    this.layer = layer;
  }
}
