import { mulberry32 } from '@convkit/shape';

/**
 * A deconvnet in plain loops, for one example (HWC arrays), as Zeiler &
 * Fergus describe it: the oracle of the tensor implementation in
 * `src/projections`. Geometry is given explicitly (no shape library).
 */

/** `count` seeded values in [−1, 1). */
export function randoms(count: number, seed: number): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => next() * 2 - 1);
}

export interface Geometry {
  kernel: [number, number];
  stride: [number, number];
  /** Padding before (top, left); the output size is given, so the end padding follows. */
  pad: [number, number];
  dilation: [number, number];
  output: [number, number];
}

export interface Conv extends Geometry {
  /** HWIO, `[kh, kw, cin / groups, cout]` row-major. */
  weights: ArrayLike<number>;
  cin: number;
  cout: number;
  groups: number;
}

/** Input taps of output (oy, ox): `[iy, ix, ky, kx]` inside an `h × w` input. */
function taps(g: Geometry, h: number, w: number, oy: number, ox: number): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (let ky = 0; ky < g.kernel[0]; ky++) {
    for (let kx = 0; kx < g.kernel[1]; kx++) {
      const iy = oy * g.stride[0] - g.pad[0] + ky * g.dilation[0];
      const ix = ox * g.stride[1] - g.pad[1] + kx * g.dilation[1];
      if (iy >= 0 && ix >= 0 && iy < h && ix < w) out.push([iy, ix, ky, kx]);
    }
  }
  return out;
}

/**
 * Every product of a convolution, as `(output index, input index, weight
 * index)` in HWC / HWIO order: output `(oy, ox, f)` reads input
 * `(iy, ix, group·cin/groups + i)` through weight `(ky, kx, i, f)`.
 */
function products(h: number, w: number, c: Conv, visit: (o: number, i: number, k: number) => void): void {
  const [oh, ow] = c.output;
  const per = c.cin / c.groups;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let f = 0; f < c.cout; f++) {
        const group = Math.floor(f / (c.cout / c.groups));
        for (const [iy, ix, ky, kx] of taps(c, h, w, oy, ox)) {
          for (let i = 0; i < per; i++) {
            visit(
              (oy * ow + ox) * c.cout + f,
              (iy * w + ix) * c.cin + group * per + i,
              ((ky * c.kernel[1] + kx) * per + i) * c.cout + f,
            );
          }
        }
      }
    }
  }
}

/** `out[oy, ox, f] = Σ x[iy, ix, g·cin/groups + i] · W[ky, kx, i, f]` (no bias). */
export function conv(x: ArrayLike<number>, h: number, w: number, c: Conv): Float32Array {
  const out = new Float32Array(c.output[0] * c.output[1] * c.cout);
  products(h, w, c, (o, i, k) => {
    out[o] = (out[o] as number) + (x[i] as number) * (c.weights[k] as number);
  });
  return out;
}

/** The transpose of {@link conv}: every output's signal spread back over its window with the same weights. */
export function convTranspose(r: ArrayLike<number>, h: number, w: number, c: Conv): Float32Array {
  const back = new Float32Array(h * w * c.cin);
  products(h, w, c, (o, i, k) => {
    back[i] = (back[i] as number) + (r[o] as number) * (c.weights[k] as number);
  });
  return back;
}

/** Max pooling with its switches: the input index of each output's (first) maximum. */
export function maxPool(x: ArrayLike<number>, h: number, w: number, ch: number, g: Geometry) {
  const [oh, ow] = g.output;
  const out = new Float32Array(oh * ow * ch);
  const switches = new Int32Array(oh * ow * ch);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      for (let k = 0; k < ch; k++) {
        let best = -1;
        for (const [iy, ix] of taps(g, h, w, oy, ox)) {
          const at = (iy * w + ix) * ch + k;
          if (best < 0 || (x[at] as number) > (x[best] as number)) best = at;
        }
        out[(oy * ow + ox) * ch + k] = x[best] as number;
        switches[(oy * ow + ox) * ch + k] = best;
      }
    }
  }
  return { out, switches };
}

/** Unpooling: each output's signal added at its switch. */
export function unpool(r: ArrayLike<number>, switches: Int32Array, size: number): Float32Array {
  const back = new Float32Array(size);
  switches.forEach((to, o) => {
    back[to] = (back[to] as number) + (r[o] as number);
  });
  return back;
}

export const relu = (a: ArrayLike<number>): Float32Array => Float32Array.from(a, (v) => Math.max(0, v));

/**
 * conv → ReLU → max pool on one `h × w × cin` example, then the deconvnet of
 * pool-output unit `(y, x, channel)`: unpool, rectify, transposed filters.
 */
export function deconvOne(
  x: ArrayLike<number>,
  h: number,
  w: number,
  c: Conv,
  pool: Geometry,
  unit: [number, number, number],
) {
  const [ch, cw] = c.output;
  const activated = relu(conv(x, h, w, c));
  const pooled = maxPool(activated, ch, cw, c.cout, pool);
  const seed = new Float32Array(pooled.out.length);
  const at = (unit[0] * pool.output[1] + unit[1]) * c.cout + unit[2];
  seed[at] = pooled.out[at] as number;
  const back = relu(unpool(seed, pooled.switches, activated.length));
  return { pooled: pooled.out, projection: convTranspose(back, h, w, c) };
}
