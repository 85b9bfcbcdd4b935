/** Options of {@link resizeBilinear}. */
export interface ResizeOptions {
  /**
   * Default true: when shrinking, widen the triangle filter by the scale so
   * every input pixel contributes (PIL's `BILINEAR`, torchvision's
   * `Resize(antialias=True)`). False: sample only the two nearest pixels
   * (`F.interpolate(mode='bilinear', align_corners=False)`). Enlarging is
   * the same either way.
   */
  antialias?: boolean;
}

/**
 * One axis's taps: for output position `o`, input positions
 * `start[o] … start[o] + count[o] − 1` with weights `weights[o · maxTaps + k]`.
 * This is PIL's `precompute_coeffs` (which torchvision's antialiased resize
 * copies): sample centres at `(o + 0.5) · scale`, i.e. align_corners=false,
 * and taps outside the image dropped and the rest renormalised, which equals
 * clamping the sample position to the edge.
 */
function taps(inSize: number, outSize: number, antialias: boolean) {
  const scale = inSize / outSize;
  const filterScale = antialias ? Math.max(scale, 1) : 1;
  const support = filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const end = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let i = first; i < end; i++) {
      const w = Math.max(0, 1 - Math.abs((i - center + 0.5) / filterScale));
      weights[o * maxTaps + i - first] = w;
      total += w;
    }
    for (let k = o * maxTaps; k < o * maxTaps + end - first; k++) weights[k] = (weights[k] as number) / total;
    start[o] = first;
    count[o] = end - first;
  }
  return { start, count, weights, maxTaps };
}

function checkSize(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`resizeBilinear: ${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Bilinear resize of one NHWC image (`height × width × channels` values),
 * with half-pixel centres (align_corners=false) as torchvision and PIL do;
 * see {@link ResizeOptions.antialias} for shrinking. Returns float32; the
 * values stay in the input's range.
 *
 * @example
 * resizeBilinear(Float32Array.of(0, 10), 1, 2, 1, 1, 4); // [0, 2.5, 7.5, 10]
 */
export function resizeBilinear(
  pixels: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  { antialias = true }: ResizeOptions = {},
): Float32Array {
  for (const [name, value] of Object.entries({ height, width, channels, outHeight, outWidth })) checkSize(name, value);
  if (pixels.length !== height * width * channels) {
    throw new RangeError(
      `resizeBilinear: ${height}×${width}×${channels} needs ${height * width * channels} values, got ${pixels.length}`,
    );
  }
  // Separable: rows first into a float64 buffer, then columns.
  const h = taps(width, outWidth, antialias);
  const rows = new Float64Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const first = h.start[x] as number;
      const n = h.count[x] as number;
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let k = 0; k < n; k++) {
          sum += (h.weights[x * h.maxTaps + k] as number) * (pixels[(y * width + first + k) * channels + c] as number);
        }
        rows[(y * outWidth + x) * channels + c] = sum;
      }
    }
  }
  const v = taps(height, outHeight, antialias);
  const out = new Float32Array(outHeight * outWidth * channels);
  const line = outWidth * channels;
  const sum = new Float64Array(line);
  for (let y = 0; y < outHeight; y++) {
    const first = v.start[y] as number;
    const n = v.count[y] as number;
    sum.fill(0);
    for (let k = 0; k < n; k++) {
      const w = v.weights[y * v.maxTaps + k] as number;
      const from = (first + k) * line;
      for (let j = 0; j < line; j++) sum[j] = (sum[j] as number) + w * (rows[from + j] as number);
    }
    out.set(sum, y * line);
  }
  return out;
}
