import { initBackend } from '@convkit/backend';
import { Conv2d, Dense, Flatten, fromJSON, type Layer, sequential } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOnnx } from '../../test/ort.js';
import { maxAbsDiff, randomizeWeights, uniform } from '../../test/random.js';
import { SqueezeExcite } from '../../test/squeeze-excite.js';
import { UnsupportedError } from '../errors.js';
import { decodeOnnx } from './decode.js';
import { exportOnnx, ONNX_EXPORT_LAYERS } from './export.js';
import { BUILT_IN_EXPORTERS } from './export-builtins.js';
import { type OnnxExporter, onnxExportTypes, registerOnnxExport } from './export-registry.js';
import { importOnnx } from './import.js';
import { registerOnnxImport } from './import-registry.js';

beforeAll(async () => {
  await initBackend('cpu');
});

// Registrations are process-wide: each test removes its own.
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const remove of cleanups.splice(0)) remove();
});

/** The SE gate in standard ops: GlobalAveragePool → Flatten → Gemm → Relu → Gemm → Sigmoid → Reshape → Mul. */
const seExporter: OnnxExporter = (layer, ctx) => {
  const c = ctx.inputShape[2] ?? 0;
  const pooled = ctx.add('GlobalAveragePool', [ctx.input], `${layer.name}/squeeze`);
  const flat = ctx.add('Flatten', [pooled], `${layer.name}/flat`, [{ name: 'axis', int: 1 }]);
  const transB = [{ name: 'transB', int: 1 }];
  const fc1 = ctx.add('Gemm', [flat, ctx.weight('w1', 'gemm'), ctx.weight('b1')], `${layer.name}/fc1`, transB);
  const fc2 = ctx.add(
    'Gemm',
    [ctx.add('Relu', [fc1], `${layer.name}/relu`), ctx.weight('w2', 'gemm'), ctx.weight('b2')],
    `${layer.name}/fc2`,
    transB,
  );
  const gate = ctx.add('Sigmoid', [fc2], `${layer.name}/gate`);
  const shape = ctx.int64s(`${layer.name}/gate_shape`, [0, c, 1, 1]);
  return ctx.add('Mul', [ctx.input, ctx.add('Reshape', [gate, shape], `${layer.name}/gate4d`)], layer.name);
};

/** The same gate as one node of a custom domain, its weights in convkit's layouts. */
const DOMAIN = 'com.example.convkit';
const seCustomExporter: OnnxExporter = (layer, ctx) => {
  ctx.opsetImport(DOMAIN, 1);
  const weights = ['w1', 'b1', 'w2', 'b2'].map((w) => ctx.weight(w));
  const ratio = (layer.config as { ratio?: number }).ratio ?? 4;
  return ctx.add('SqueezeExcite', [ctx.input, ...weights], layer.name, [{ name: 'ratio', int: ratio }], DOMAIN);
};

const INPUT: [number, number, number] = [6, 5, 3];
function model(): Layer {
  const m = sequential([
    new Conv2d({ name: 'conv1', filters: 8, kernel: 3, padding: 1, activation: 'relu' }),
    new SqueezeExcite({ name: 'se1', ratio: 4 }),
    new Flatten({ name: 'flat' }),
    new Dense({ name: 'fc', units: 3 }),
  ]).build(INPUT, { seed: 1 });
  randomizeWeights(m, 5);
  return m;
}

async function forward(m: Layer, x: Float32Array, batch: number): Promise<Float32Array> {
  const y = tf.tidy(() => m.apply(tf.tensor(x, [batch, ...INPUT])));
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

describe('registerOnnxExport: a downstream layer exports like a built-in one', () => {
  it("convkit's own layers are registered in the same registry, so their types cannot be taken twice", () => {
    expect(Object.keys(BUILT_IN_EXPORTERS).sort()).toEqual([...ONNX_EXPORT_LAYERS].sort());
    expect(onnxExportTypes()).toEqual(expect.arrayContaining([...ONNX_EXPORT_LAYERS]));
    expect(() => registerOnnxExport('conv2d', seExporter)).toThrow(/registerOnnxExport\("conv2d"\).*already has/);
  });

  it('a layer with no exporter throws UnsupportedError naming it and saying how to register one', async () => {
    const m = model();
    const error = await exportOnnx(m, { input: INPUT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(/^se1 \(squeezeExcite\): .*registerOnnxExport\("squeezeExcite"/);
    m.dispose();
  });

  it('the registered SE exporter runs in onnxruntime-node as convkit computes it (max abs diff ≤ 1e-4)', async () => {
    cleanups.push(registerOnnxExport('squeezeExcite', seExporter));
    const m = model();
    const x = uniform(2 * INPUT[0] * INPUT[1] * INPUT[2], 9);
    const want = await forward(m, x, 2);
    const got = await runOnnx(await exportOnnx(m, { input: INPUT }), x, [2, ...INPUT]);
    expect(got.dims).toEqual([2, 3]);
    expect(maxAbsDiff(got.data, want)).toBeLessThanOrEqual(1e-4);
    m.dispose();
  });

  it('the SE layer itself matches a plain-loop gate, and its ONNX nodes match both', async () => {
    cleanups.push(registerOnnxExport('squeezeExcite', seExporter));
    const se = new SqueezeExcite({ name: 'se', ratio: 2 }).build([2, 2, 4], { seed: 2 });
    randomizeWeights(se, 3);
    const x = uniform(16, 4);
    const named = se.namedWeights();
    const read = await Promise.all(named.map(([, v]) => v.data() as Promise<Float32Array>));
    const w = Object.fromEntries(named.map(([n], k) => [n.slice(3), read[k] as Float32Array]));
    const out = tf.tidy(() => se.apply(tf.tensor(x, [1, 2, 2, 4])));
    const y = (await out.data()) as Float32Array;
    out.dispose();
    // σ(b2 + W2ᵀ·relu(b1 + W1ᵀ·mean)) per channel, with W1 [4, 2] and W2 [2, 4] row-major.
    const means = [0, 1, 2, 3].map((c) => meanOf(x, c));
    const hidden = [0, 1].map((k) =>
      Math.max(0, at(w.b1, k) + means.reduce((s, m, i) => s + m * at(w.w1, i * 2 + k), 0)),
    );
    const gate = [0, 1, 2, 3].map(
      (c) => 1 / (1 + Math.exp(-(at(w.b2, c) + hidden.reduce((s, h, k) => s + h * at(w.w2, k * 4 + c), 0)))),
    );
    const naive = Float32Array.from(x, (v, i) => v * (gate[i % 4] as number));
    expect(maxAbsDiff(y, naive)).toBeLessThanOrEqual(1e-5);
    const got = await runOnnx(await exportOnnx(se, { input: [2, 2, 4] }), x, [1, 2, 2, 4]);
    expect(maxAbsDiff(got.data, naive)).toBeLessThanOrEqual(1e-5);
    se.dispose();
  });
});

const at = (values: Float32Array | undefined, i: number): number => values?.[i] ?? Number.NaN;

/** The mean over the 2×2 positions of channel `c` of a [2, 2, 4] map. */
function meanOf(x: Float32Array, c: number): number {
  return (at(x, c) + at(x, 4 + c) + at(x, 8 + c) + at(x, 12 + c)) / 4;
}

describe('registerOnnxImport: a custom-domain op comes back as the downstream layer', () => {
  it('writes the custom op with its opset import, and convertOnnx refuses it until an importer is registered', async () => {
    cleanups.push(registerOnnxExport('squeezeExcite', seCustomExporter));
    const m = model();
    const bytes = await exportOnnx(m, { input: INPUT });
    const decoded = decodeOnnx(bytes, 'se.onnx');
    expect(decoded.opsets.get(DOMAIN)).toBe(1);
    expect(decoded.graph.nodes.find((n) => n.op === 'SqueezeExcite')?.domain).toBe(DOMAIN);
    expect(() => importOnnx(bytes, { fromJSON, file: 'se.onnx' })).toThrow(
      /domain "com\.example\.convkit".*registerOnnxImport\("SqueezeExcite"/,
    );
    m.dispose();
  });

  it('imports it through registerOnnxImport: same architecture, same weights, same output', async () => {
    cleanups.push(registerOnnxExport('squeezeExcite', seCustomExporter));
    cleanups.push(
      registerOnnxImport(
        'SqueezeExcite',
        (_, ctx) => {
          const name = ctx.layerName();
          const c = ctx.inputShape[2] ?? 0;
          const ratio = ctx.attributes.int('ratio', 4);
          const shapes = { w1: [c, c / ratio], b1: [c / ratio], w2: [c / ratio, c], b2: [c] };
          Object.entries(shapes).forEach(([w, shape], i) => {
            ctx.addWeight(`${name}/${w}`, ctx.constant(i + 1, w), shape);
          });
          return { layers: [{ type: 'squeezeExcite', config: { name, ratio } }] };
        },
        { domain: DOMAIN },
      ),
    );
    const m = model();
    const { model: back, architecture } = importOnnx(await exportOnnx(m, { input: INPUT }), {
      fromJSON,
      file: 'se.onnx',
    });
    const layers = (architecture.config as { layers: { type: string; config: object }[] }).layers;
    expect(layers.map((l) => l.type)).toEqual(['conv2d', 'squeezeExcite', 'flatten', 'dense']);
    expect(layers[1]?.config).toEqual({ name: 'se1', ratio: 4 });
    const x = uniform(2 * INPUT[0] * INPUT[1] * INPUT[2], 13);
    expect(maxAbsDiff(await forward(back, x, 2), await forward(m, x, 2))).toBeLessThanOrEqual(1e-5);
    back.dispose();
    m.dispose();
  });

  it("convkit's own LRN is an importer in the same registry", () => {
    expect(() => registerOnnxImport('LRN', () => ({ layers: [] }))).toThrow(/registerOnnxImport\("LRN"\).*already has/);
  });
});
