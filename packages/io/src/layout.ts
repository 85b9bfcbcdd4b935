/**
 * Weight layouts: convkit keeps kernels HWIO and dense kernels `[in, out]`
 * with inputs flattened (h, w, c); PyTorch and ONNX keep OIHW, `[out, in]`
 * and flatten (c, h, w). Each function returns a new array.
 */

/**
 * HWIO `[kh, kw, i, o]` → OIHW `[o, i, kh, kw]`.
 *
 * @example
 * ```ts
 * hwioToOihw(kernel, [5, 5, 1, 6]); // PyTorch's conv1.weight order, [6, 1, 5, 5]
 * ```
 */
export function hwioToOihw(values: Float32Array, [kh = 0, kw = 0, ci = 0, co = 0]: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          out[((o * ci + i) * kh + y) * kw + x] = values[((y * kw + x) * ci + i) * co + o] as number;
        }
  return out;
}

/**
 * OIHW `[o, i, kh, kw]` → HWIO `[kh, kw, i, o]`.
 *
 * @example
 * ```ts
 * oihwToHwio(torchWeight, [64, 3, 11, 11]); // convkit's [11, 11, 3, 64]
 * ```
 */
export function oihwToHwio(values: Float32Array, [co = 0, ci = 0, kh = 0, kw = 0]: readonly number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let o = 0; o < co; o++)
    for (let i = 0; i < ci; i++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++) {
          out[((y * kw + x) * ci + i) * co + o] = values[((o * ci + i) * kh + y) * kw + x] as number;
        }
  return out;
}

/** Input feature index in (h, w, c) order for the one at `k` in (c, h, w) order of a `[h, w, c]` map. */
function hwcIndex(k: number, [h, w, c]: readonly [number, number, number]): number {
  const channel = Math.floor(k / (h * w));
  const rest = k % (h * w);
  return rest * c + channel;
}

/**
 * A dense kernel `[in, out]` → PyTorch's `[out, in]`; with `flat = [h, w, c]`
 * (the map a Flatten made), the inputs are reordered from convkit's (h, w, c)
 * to PyTorch's (c, h, w) flattening.
 *
 * @example
 * ```ts
 * denseToTorch(fc6, [9216, 4096], [6, 6, 256]); // torchvision's classifier.1.weight
 * ```
 */
export function denseToTorch(
  values: Float32Array,
  [inputs = 0, outputs = 0]: readonly number[],
  flat?: readonly [number, number, number],
): Float32Array {
  const out = new Float32Array(values.length);
  for (let k = 0; k < inputs; k++) {
    const row = flat ? hwcIndex(k, flat) : k;
    for (let o = 0; o < outputs; o++) out[o * inputs + k] = values[row * outputs + o] as number;
  }
  return out;
}

/**
 * PyTorch's `[out, in]` → a dense kernel `[in, out]`, the inverse of {@link denseToTorch}.
 *
 * @example
 * ```ts
 * denseFromTorch(weight, [4096, 9216], [6, 6, 256]); // convkit's fc6 kernel [9216, 4096]
 * ```
 */
export function denseFromTorch(
  values: Float32Array,
  [outputs = 0, inputs = 0]: readonly number[],
  flat?: readonly [number, number, number],
): Float32Array {
  const out = new Float32Array(values.length);
  for (let k = 0; k < inputs; k++) {
    const row = flat ? hwcIndex(k, flat) : k;
    for (let o = 0; o < outputs; o++) out[row * outputs + o] = values[o * inputs + k] as number;
  }
  return out;
}
