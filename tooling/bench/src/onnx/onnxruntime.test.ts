import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { tensorValues } from '@convkit/testdata';
import { describe, expect, it } from 'vitest';
import type { Architecture } from '../architectures.js';
import { loadOrt } from '../peers/onnxruntime.js';
import { PEERS_DIR } from '../peers/paths.js';
import { seededRandom, uniformArray } from '../random.js';
import { architectureToOnnx, ONNX_INPUT } from './architecture-model.js';
import { decodeModel } from './decode-model.js';

/** Every op the generator writes, small enough for a naive loop: Conv(+bias, pad, stride) Relu MaxPool Flatten Gemm. */
const TINY: Architecture = {
  name: 'tiny',
  input: [8, 8, 2],
  layers: [
    { type: 'conv', filters: 3, kernel: 3, stride: 1, padding: 1, bias: true, relu: true },
    { type: 'pool', kernel: 2, stride: 2 },
    { type: 'conv', filters: 2, kernel: 2, stride: 2, padding: 1, bias: true, relu: false },
    { type: 'flatten' },
    { type: 'dense', units: 4, relu: false },
  ],
};

// onnxruntime-node is a peer that `pnpm bench` installs into .peers/ at run time; `pnpm test` must not need it.
const installed = existsSync(join(PEERS_DIR, 'node_modules', 'onnxruntime-node', 'package.json'));
const why = installed
  ? ''
  : ' (skipped: onnxruntime-node is not in tooling/bench/.peers; `pnpm bench -- --backends ort` installs it)';

describe(`generated models on onnxruntime-node${why}`, () => {
  it.skipIf(!installed)('compute what a naive NCHW loop computes', async () => {
    const batch = 2;
    const bytes = architectureToOnnx(TINY, batch);
    const [h, w, c] = TINY.input;
    const x = uniformArray(batch * c * h * w, 1, seededRandom(3));
    const ort = loadOrt();
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const outputs = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', x, [batch, c, h, w]) });
    const actual = outputs[session.outputNames[0] ?? ''];
    expect(actual?.dims).toEqual([batch, 4]);

    const weights = new Map(decodeModel(bytes).initializers.map((t) => [t.name, { dims: t.dims, v: tensorValues(t) }]));
    const expected = naiveForward(TINY, batch, x, (name) => {
      const t = weights.get(name);
      if (!t) throw new Error(`no initializer ${name}`);
      return t;
    });
    const got = [...((actual?.data as Float32Array | undefined) ?? [])];
    expect(got).toHaveLength(expected.length);
    got.forEach((v, i) => {
      const e = expected[i] as number;
      expect(Math.abs(v - e)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(e));
    });
  });
});

type Weights = (name: string) => { dims: number[]; v: number[] };

/** The architecture in plain loops, NCHW, as ONNX defines each op. */
function naiveForward(arch: Architecture, batch: number, input: Float32Array, weights: Weights): number[] {
  let [h, w, c] = arch.input;
  let x = [...input];
  arch.layers.forEach((layer, index) => {
    const id = `${layer.type}${index}`;
    if (layer.type === 'conv') {
      const { kernel: k, stride: s, padding: p, filters: f } = layer;
      const oh = Math.floor((h + 2 * p - k) / s) + 1;
      const ow = Math.floor((w + 2 * p - k) / s) + 1;
      const W = weights(`${id}.weight`).v;
      const B = layer.bias ? weights(`${id}.bias`).v : [];
      const y: number[] = [];
      for (let n = 0; n < batch; n++)
        for (let o = 0; o < f; o++)
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < ow; j++) {
              let sum = B[o] ?? 0;
              for (let ci = 0; ci < c; ci++)
                for (let a = 0; a < k; a++)
                  for (let b = 0; b < k; b++) {
                    const r = i * s - p + a;
                    const q = j * s - p + b;
                    if (r < 0 || r >= h || q < 0 || q >= w) continue;
                    sum +=
                      (x[((n * c + ci) * h + r) * w + q] as number) * (W[((o * c + ci) * k + a) * k + b] as number);
                  }
              y.push(layer.relu ? Math.max(0, sum) : sum);
            }
      [x, h, w, c] = [y, oh, ow, f];
    } else if (layer.type === 'pool') {
      const { kernel: k, stride: s } = layer;
      const oh = Math.floor((h - k) / s) + 1;
      const ow = Math.floor((w - k) / s) + 1;
      const y: number[] = [];
      for (let n = 0; n < batch; n++)
        for (let ci = 0; ci < c; ci++)
          for (let i = 0; i < oh; i++)
            for (let j = 0; j < ow; j++) {
              let m = -Infinity;
              for (let a = 0; a < k; a++)
                for (let b = 0; b < k; b++)
                  m = Math.max(m, x[((n * c + ci) * h + i * s + a) * w + j * s + b] as number);
              y.push(m);
            }
      [x, h, w] = [y, oh, ow];
    } else if (layer.type === 'dense') {
      const W = weights(`${id}.weight`);
      const B = weights(`${id}.bias`).v;
      const inFeatures = W.dims[1] as number;
      const y: number[] = [];
      for (let n = 0; n < batch; n++)
        for (let u = 0; u < layer.units; u++) {
          let sum = B[u] as number;
          for (let i = 0; i < inFeatures; i++)
            sum += (x[n * inFeatures + i] as number) * (W.v[u * inFeatures + i] as number);
          y.push(layer.relu ? Math.max(0, sum) : sum);
        }
      x = y;
    }
    // flatten: NCHW memory order is already row-major [N, C·H·W].
  });
  return x;
}
