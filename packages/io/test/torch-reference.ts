/**
 * A naive NCHW forward in plain loops, written from torchvision's module
 * definitions (not from convkit's), for one example: the oracle the
 * torchvision weight mapping is checked against. Parameters are asked for
 * by their torchvision `state_dict` key.
 */

export type Module =
  | { op: 'conv'; name: string; out: number; kernel: number; stride?: number; padding?: number; bias?: boolean }
  | { op: 'bn'; name: string; eps: number }
  | { op: 'relu' }
  | { op: 'maxpool'; kernel: number; stride: number; padding?: number; ceil?: boolean }
  | { op: 'globalAvg' }
  | { op: 'flatten' }
  | { op: 'linear'; name: string; out: number }
  | { op: 'cat'; branches: Module[][] }
  /** The element-wise sum of the branches (an empty branch is the identity: a residual shortcut). */
  | { op: 'add'; branches: Module[][] }
  /** Record the activation here, to compare with the output of convkit's layer `layer`. */
  | { op: 'tap'; layer: string };

/** One example's activation: `[c, h, w]` (a flat vector is `[n, 1, 1]`), float64. */
export interface Activation {
  c: number;
  h: number;
  w: number;
  data: Float64Array;
}

/** Gives a parameter's values by torchvision key and shape (and may record them). */
export type Parameters = (key: string, shape: number[]) => Float32Array;

export function forward(
  modules: readonly Module[],
  x: Activation,
  parameter: Parameters,
  taps: Map<string, Activation>,
): Activation {
  return modules.reduce((a, m) => step(m, a, parameter, taps), x);
}

function step(m: Module, x: Activation, parameter: Parameters, taps: Map<string, Activation>): Activation {
  switch (m.op) {
    case 'conv':
      return conv(m, x, parameter);
    case 'bn': {
      const weight = parameter(`${m.name}.weight`, [x.c]);
      const bias = parameter(`${m.name}.bias`, [x.c]);
      const mean = parameter(`${m.name}.running_mean`, [x.c]);
      const variance = parameter(`${m.name}.running_var`, [x.c]);
      const data = x.data.map((v, i) => {
        const c = Math.floor(i / (x.h * x.w));
        return (
          ((v - (mean[c] as number)) / Math.sqrt((variance[c] as number) + m.eps)) * (weight[c] as number) +
          (bias[c] as number)
        );
      });
      return { ...x, data };
    }
    case 'relu':
      return { ...x, data: x.data.map((v) => Math.max(0, v)) };
    case 'maxpool':
      return maxpool(m, x);
    case 'globalAvg': {
      const data = new Float64Array(x.c);
      for (let c = 0; c < x.c; c++) {
        let sum = 0;
        for (let k = 0; k < x.h * x.w; k++) sum += x.data[c * x.h * x.w + k] as number;
        data[c] = sum / (x.h * x.w);
      }
      return { c: x.c, h: 1, w: 1, data };
    }
    case 'flatten':
      // NCHW memory is already (c, h, w) order.
      return { c: x.c * x.h * x.w, h: 1, w: 1, data: x.data };
    case 'linear': {
      const n = x.c * x.h * x.w;
      const weight = parameter(`${m.name}.weight`, [m.out, n]);
      const bias = parameter(`${m.name}.bias`, [m.out]);
      const data = new Float64Array(m.out);
      for (let o = 0; o < m.out; o++) {
        let sum = bias[o] as number;
        for (let i = 0; i < n; i++) sum += (weight[o * n + i] as number) * (x.data[i] as number);
        data[o] = sum;
      }
      return { c: m.out, h: 1, w: 1, data };
    }
    case 'cat': {
      const parts = m.branches.map((b) => forward(b, x, parameter, taps));
      const first = parts[0] as Activation;
      const data = new Float64Array(parts.reduce((a, p) => a + p.data.length, 0));
      let at = 0;
      for (const p of parts) {
        data.set(p.data, at);
        at += p.data.length;
      }
      return { c: parts.reduce((a, p) => a + p.c, 0), h: first.h, w: first.w, data };
    }
    case 'add': {
      const parts = m.branches.map((b) => forward(b, x, parameter, taps));
      const first = parts[0] as Activation;
      if (parts.some((p) => p.c !== first.c || p.h !== first.h || p.w !== first.w))
        throw new RangeError(`add: branches give ${parts.map((p) => `[${p.c}, ${p.h}, ${p.w}]`).join(', ')}`);
      const data = first.data.map((_, i) => parts.reduce((sum, p) => sum + (p.data[i] as number), 0));
      return { ...first, data };
    }
    case 'tap':
      taps.set(m.layer, x);
      return x;
  }
}

function conv(m: Extract<Module, { op: 'conv' }>, x: Activation, parameter: Parameters): Activation {
  const { out, kernel: k, stride: s = 1, padding: p = 0 } = m;
  const weight = parameter(`${m.name}.weight`, [out, x.c, k, k]);
  const bias = m.bias === false ? undefined : parameter(`${m.name}.bias`, [out]);
  const oh = Math.floor((x.h + 2 * p - k) / s) + 1;
  const ow = Math.floor((x.w + 2 * p - k) / s) + 1;
  const data = new Float64Array(out * oh * ow);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let sum = bias ? (bias[o] as number) : 0;
        for (let c = 0; c < x.c; c++)
          for (let a = 0; a < k; a++) {
            const r = i * s - p + a;
            if (r < 0 || r >= x.h) continue;
            for (let b = 0; b < k; b++) {
              const q = j * s - p + b;
              if (q < 0 || q >= x.w) continue;
              sum += (x.data[(c * x.h + r) * x.w + q] as number) * (weight[((o * x.c + c) * k + a) * k + b] as number);
            }
          }
        data[(o * oh + i) * ow + j] = sum;
      }
  return { c: out, h: oh, w: ow, data };
}

/** PyTorch's MaxPool2d: padding never wins; ceil mode keeps a last window that starts inside the input or its left padding. */
function maxpool(m: Extract<Module, { op: 'maxpool' }>, x: Activation): Activation {
  const { kernel: k, stride: s, padding: p = 0, ceil = false } = m;
  const size = (n: number) => {
    let o = (ceil ? Math.ceil((n + 2 * p - k) / s) : Math.floor((n + 2 * p - k) / s)) + 1;
    if (ceil && (o - 1) * s >= n + p) o -= 1;
    return o;
  };
  const [oh, ow] = [size(x.h), size(x.w)];
  const data = new Float64Array(x.c * oh * ow);
  for (let c = 0; c < x.c; c++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        for (let a = 0; a < k; a++)
          for (let b = 0; b < k; b++) {
            const r = i * s - p + a;
            const q = j * s - p + b;
            if (r >= 0 && r < x.h && q >= 0 && q < x.w)
              best = Math.max(best, x.data[(c * x.h + r) * x.w + q] as number);
          }
        data[(c * oh + i) * ow + j] = best;
      }
  return { c: x.c, h: oh, w: ow, data };
}

/** A `[c, h, w]` activation as NHWC values (batch 1), to compare with convkit. */
export function toNhwcValues(a: Activation): Float64Array {
  const out = new Float64Array(a.data.length);
  for (let c = 0; c < a.c; c++)
    for (let k = 0; k < a.h * a.w; k++) out[k * a.c + c] = a.data[c * a.h * a.w + k] as number;
  return out;
}
