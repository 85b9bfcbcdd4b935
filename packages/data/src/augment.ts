import type { ColorBasis } from './color-basis.js';
import { resizeBilinear } from './resize.js';

/**
 * Augmentation as plain data, so a recipe can live in JSON. The steps run in
 * this order, each only when given: `resize`, `randomCrop`, `centerCrop`,
 * `flip`, `colorNoise`. Sizes are `[height, width]`; images are NHWC.
 */
export interface AugmentOptions {
  /** Bilinear resize first (half-pixel centres, antialiased when shrinking, like torchvision's `Resize`). */
  resize?: [height: number, width: number];
  /**
   * torchvision's `RandomCrop(size, padding)`: `padding` zero pixels on each
   * side (default 0), then a crop of `size` at a uniformly random position.
   */
  randomCrop?: { size: [height: number, width: number]; padding?: number };
  /** torchvision's `CenterCrop`: deterministic, for evaluation; offsets `round((n − size) / 2)`, ties to even as Python rounds. */
  centerCrop?: [height: number, width: number];
  /** Mirror left–right with probability 0.5. */
  flip?: boolean;
  /**
   * AlexNet's PCA colour noise: per image draw `alpha_i ~ N(0, std)` (the
   * paper uses 0.1) and add `255 · sum_i alpha_i · lambda_i · p_i` to every
   * RGB pixel (the basis is on the [0, 1] scale, the pixels on [0, 255]).
   * Values are not clipped, as in the paper. RGB images only.
   */
  colorNoise?: { std: number; basis: ColorBasis };
}

const KEYS = ['resize', 'randomCrop', 'centerCrop', 'flip', 'colorNoise'];

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function size(value: unknown, name: string): [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((n): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1)
  ) {
    throw new RangeError(`augment.${name} must be [height, width], two positive integers; got ${show(value)}`);
  }
  return [value[0] as number, value[1] as number];
}

function checkBasis(basis: unknown): void {
  const b = basis as Partial<ColorBasis> | undefined;
  const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
  const ok =
    Array.isArray(b?.eigenvalues) &&
    b.eigenvalues.length === 3 &&
    b.eigenvalues.every(finite) &&
    Array.isArray(b.eigenvectors) &&
    b.eigenvectors.length === 3 &&
    b.eigenvectors.every((v) => Array.isArray(v) && v.length === 3 && v.every(finite));
  if (!ok) {
    throw new RangeError(
      `augment.colorNoise.basis must be { eigenvalues: 3 numbers, eigenvectors: 3 vectors of 3 numbers } (see colorBasis); got ${show(basis)}`,
    );
  }
}

/**
 * Validates `options` for `height × width` (× `channels` when known) images
 * and returns the output size; every error repeats the values received.
 */
function plan(options: AugmentOptions, height: number, width: number, channels?: number): [number, number] {
  if (typeof options !== 'object' || options === null)
    throw new RangeError(`augment must be an object, got ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key))
      throw new RangeError(`augment has no option ${show(key)}; the options are ${KEYS.join(', ')}`);
  }
  let [h, w] = [height, width];
  if (options.resize !== undefined) [h, w] = size(options.resize, 'resize');
  if (options.randomCrop !== undefined) {
    const { size: cropSize, padding = 0, ...rest } = options.randomCrop;
    const extra = Object.keys(rest);
    if (extra.length > 0)
      throw new RangeError(`augment.randomCrop has no option ${show(extra[0])}; it has size, padding`);
    const [ch, cw] = size(cropSize, 'randomCrop.size');
    if (!Number.isInteger(padding) || padding < 0) {
      throw new RangeError(`augment.randomCrop.padding must be a non-negative integer, got ${show(padding)}`);
    }
    if (ch > h + 2 * padding || cw > w + 2 * padding) {
      throw new RangeError(
        `augment.randomCrop.size [${ch}, ${cw}] is larger than the padded image ${h + 2 * padding}×${w + 2 * padding} (${h}×${w} + 2·${padding} padding): use a smaller size or more padding`,
      );
    }
    [h, w] = [ch, cw];
  }
  if (options.centerCrop !== undefined) {
    const [ch, cw] = size(options.centerCrop, 'centerCrop');
    if (ch > h || cw > w) {
      throw new RangeError(
        `augment.centerCrop [${ch}, ${cw}] is larger than the ${h}×${w} image it crops: resize first or crop less`,
      );
    }
    [h, w] = [ch, cw];
  }
  if (options.flip !== undefined && typeof options.flip !== 'boolean') {
    throw new RangeError(`augment.flip must be true or false, got ${show(options.flip)}`);
  }
  if (options.colorNoise !== undefined) {
    const { std, basis } = options.colorNoise;
    if (typeof std !== 'number' || !(std >= 0) || !Number.isFinite(std)) {
      throw new RangeError(`augment.colorNoise.std must be a finite number ≥ 0 (AlexNet: 0.1), got ${show(std)}`);
    }
    checkBasis(basis);
    if (channels !== undefined && channels !== 3) {
      throw new RangeError(`augment.colorNoise needs RGB images (channels 3), got channels ${channels}`);
    }
  }
  return [h, w];
}

/**
 * The `[height, width]` that `augmentExample` gives for `height × width`
 * input; throws a RangeError for options that do not fit that size (and,
 * when `channels` is given, for colour noise on images that are not RGB).
 *
 * @example
 * augmentedShape({ randomCrop: { size: [32, 32], padding: 4 }, flip: true }, 32, 32); // [32, 32]
 * augmentedShape({ resize: [256, 256], centerCrop: [224, 224] }, 375, 500); // [224, 224]
 */
export function augmentedShape(
  options: AugmentOptions,
  height: number,
  width: number,
  channels?: number,
): [number, number] {
  return plan(options, height, width, channels);
}

/** Python's `round`: halves go to the even neighbour (torchvision's CenterCrop offsets use it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `out[y][x] = in[top + y][left + x]`, zero outside the input (the padding). */
function crop(
  pixels: Float32Array,
  height: number,
  width: number,
  channels: number,
  top: number,
  left: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth * channels);
  for (let y = 0; y < outHeight; y++) {
    const sy = top + y;
    if (sy < 0 || sy >= height) continue;
    const x0 = Math.max(0, -left);
    const x1 = Math.min(outWidth, width - left);
    if (x1 > x0) {
      out.set(
        pixels.subarray((sy * width + left + x0) * channels, (sy * width + left + x1) * channels),
        (y * outWidth + x0) * channels,
      );
    }
  }
  return out;
}

/** A standard normal draw (Box–Muller); `1 − random()` keeps the logarithm finite. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * Augments one NHWC image (`height × width × channels` values on the 0–255
 * scale) and returns a new one; `pixels` is left as it was. `random` (floats
 * in [0, 1), e.g. `mulberry32(seed)`) is drawn in step order: randomCrop's
 * top then left, flip's coin, then two draws per colour-noise alpha.
 *
 * @example
 * const random = mulberry32(1);
 * const { data, height, width } = augmentExample(pixels, 32, 32, 3, { randomCrop: { size: [32, 32], padding: 4 }, flip: true }, random);
 */
export function augmentExample(
  pixels: Float32Array,
  height: number,
  width: number,
  channels: number,
  options: AugmentOptions,
  random: () => number,
): { data: Float32Array; height: number; width: number } {
  if (pixels.length !== height * width * channels) {
    throw new RangeError(
      `augmentExample: ${height}×${width}×${channels} needs ${height * width * channels} values, got ${pixels.length}`,
    );
  }
  plan(options, height, width, channels);
  let data = pixels;
  let [h, w] = [height, width];
  if (options.resize && (options.resize[0] !== h || options.resize[1] !== w)) {
    [h, w] = options.resize;
    data = resizeBilinear(data, height, width, channels, h, w);
  }
  if (options.randomCrop) {
    const [ch, cw] = options.randomCrop.size;
    const padding = options.randomCrop.padding ?? 0;
    // torchvision: i = randint(0, h + 2p − th) inclusive, on the padded image.
    const top = Math.floor(random() * (h + 2 * padding - ch + 1)) - padding;
    const left = Math.floor(random() * (w + 2 * padding - cw + 1)) - padding;
    data = crop(data, h, w, channels, top, left, ch, cw);
    [h, w] = [ch, cw];
  }
  if (options.centerCrop) {
    const [ch, cw] = options.centerCrop;
    data = crop(data, h, w, channels, roundHalfEven((h - ch) / 2), roundHalfEven((w - cw) / 2), ch, cw);
    [h, w] = [ch, cw];
  }
  if (data === pixels) data = pixels.slice();
  if (options.flip && random() < 0.5) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w >> 1; x++) {
        for (let c = 0; c < channels; c++) {
          const a = (y * w + x) * channels + c;
          const b = (y * w + w - 1 - x) * channels + c;
          const t = data[a] as number;
          data[a] = data[b] as number;
          data[b] = t;
        }
      }
    }
  }
  if (options.colorNoise) {
    const { std, basis } = options.colorNoise;
    const shift = [0, 0, 0];
    for (let i = 0; i < 3; i++) {
      const weight = std * normal(random) * (basis.eigenvalues[i] as number);
      for (let c = 0; c < 3; c++)
        shift[c] = (shift[c] as number) + 255 * weight * (basis.eigenvectors[i]?.[c] as number);
    }
    for (let k = 0; k < data.length; k++) data[k] = (data[k] as number) + (shift[k % 3] as number);
  }
  return { data, height: h, width: w };
}
