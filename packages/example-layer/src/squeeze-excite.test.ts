import { initBackend } from '@convkit/backend';
import { exportOnnx } from '@convkit/io';
import {
  Conv2d,
  createLayer,
  Dense,
  Flatten,
  fromJSON,
  type Layer,
  sequential,
  summary,
  toJSON,
} from '@convkit/layers';
import { runLayerTest } from '@convkit/layers/testing';
import type { LayerSpec, Shape } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { SqueezeExcite } from './index.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const INPUT: Shape = [6, 6, 2];
const model = () =>
  sequential([
    new Conv2d({ name: 'conv', filters: 8, kernel: 3, padding: 1 }), // signed means: no ReLU-dead bottleneck at init
    new SqueezeExcite({ name: 'se', ratio: 4 }),
    new Flatten({ name: 'flat' }),
    new Dense({ name: 'fc', units: 3 }),
  ]);

/** Plain-loop SE on one NHWC batch: the oracle for `call` and for the ONNX graph. */
function reference(
  x: Float32Array,
  [n, h, w, c]: [number, number, number, number],
  weights: Record<string, Float32Array>,
  k: number,
) {
  const { w1, b1, w2, b2 } = weights as Record<'w1' | 'b1' | 'w2' | 'b2', Float32Array>;
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    const mean = new Float64Array(c);
    for (let p = 0; p < h * w; p++)
      for (let ch = 0; ch < c; ch++)
        mean[ch] = (mean[ch] as number) + (x[(b * h * w + p) * c + ch] as number) / (h * w);
    const hidden = Array.from({ length: k }, (_, j) => {
      let s = b1[j] as number;
      for (let ch = 0; ch < c; ch++) s += (mean[ch] as number) * (w1[ch * k + j] as number);
      return Math.max(0, s);
    });
    for (let ch = 0; ch < c; ch++) {
      let s = b2[ch] as number;
      for (let j = 0; j < k; j++) s += (hidden[j] as number) * (w2[j * c + ch] as number);
      const gate = 1 / (1 + Math.exp(-s));
      for (let p = 0; p < h * w; p++) y[(b * h * w + p) * c + ch] = (x[(b * h * w + p) * c + ch] as number) * gate;
    }
  }
  return y;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

describe('SqueezeExcite, a downstream layer on the public API', () => {
  it('is registered and typed: createLayer, fromJSON and the option check know it', () => {
    const layer = createLayer('squeezeExcite', { ratio: 2, name: 'gate' });
    expect(layer).toBeInstanceOf(SqueezeExcite);
    expect(toJSON(layer)).toEqual({ type: 'squeezeExcite', config: { ratio: 2, name: 'gate' } });
    expect(fromJSON(toJSON(layer))).toBeInstanceOf(SqueezeExcite);
    expect(() => fromJSON({ type: 'squeezeExcite', config: { ratoi: 2 } })).toThrow(
      /^squeezeExcite: unknown option "ratoi" \(did you mean "ratio"\?\)/,
    );
  });

  it('computes x · σ(relu(mean·W1 + b1)·W2 + b2) per channel, as plain loops do', async () => {
    const layer = new SqueezeExcite({ name: 'se', ratio: 4 }).build([3, 2, 8], { seed: 7 });
    const weights = Object.fromEntries(
      await Promise.all(layer.namedWeights().map(async ([n, v]) => [n.slice(3), (await v.data()) as Float32Array])),
    );
    const x = tf.randomNormal([2, 3, 2, 8], 0, 1, 'float32', 3);
    const y = layer.apply(x);
    const expected = reference((await x.data()) as Float32Array, [2, 3, 2, 8], weights, 2);
    expect(maxAbsDiff(await y.data(), expected)).toBeLessThan(1e-5);
    tf.dispose([x, y]);
    layer.dispose();
  });

  it("summary() counts the gate's h·w·c multiply in its MACs", () => {
    // conv 2→8, 3×3 same on 6×6: 3·3·2·8 + 8 = 152 params, 6·6·8·18 = 5,184 MACs.
    // SE ratio 4 on 8 channels (k = 2): 8·2 + 2 + 2·8 + 8 = 42 params; 16 + 16 MACs for the two dense
    // layers and 6·6·8 = 288 for the multiply. fc: 288·3 + 3 = 867 params, 864 MACs.
    const s = summary(model(), { input: INPUT });
    expect(s.rows[1]).toMatchObject({ name: 'se', kind: 'squeezeExcite', outputShape: [6, 6, 8], macs: 320 });
    expect(s.rows[1]?.params).toEqual({ trainable: 42, nonTrainable: 0 });
    expect(s.totals).toMatchObject({ params: 152 + 42 + 867, macs: 5184 + 320 + 864 });
    expect(s.text).toMatch(/se\s+squeezeExcite\s+6×6×8\s+42/);
  });

  it('passes runLayerTest with ratio 4 on 8 channels, alone and in a model', async () => {
    const alone = await runLayerTest(() => new SqueezeExcite({ name: 'se', ratio: 4 }), {
      input: [5, 4, 8],
      macs: 'exact',
    });
    // k = 2: 8·2 + 2·8 for the two dense layers, 5·4·8 = 160 for the gate's multiply.
    expect(alone.macs).toEqual({ declared: 192, measured: 192 });
    expect(alone.weights).toEqual(['se/w1', 'se/b1', 'se/w2', 'se/b2']);
    expect(alone.checkedGradients).toBeGreaterThan(0);
    expect(alone.checkedInputs).toEqual([
      [5, 4, 8],
      [10, 8, 8],
    ]);
    const inModel = await runLayerTest(model, { input: INPUT, macs: 'exact' });
    expect(inModel.macs).toEqual({ declared: 5184 + 320 + 864, measured: 5184 + 320 + 864 });
    expect(inModel.weights).toContain('se/w2');
  });

  it('a variant that declares too few parameters fails runLayerTest, naming the weights', async () => {
    class Lying extends SqueezeExcite {
      override specs(input: Shape): LayerSpec[] {
        const [spec] = super.specs(input) as [Extract<LayerSpec, { type: 'custom' }>];
        const c = input[2] as number;
        return [{ ...spec, params: { trainable: (spec.params?.trainable ?? 0) - c } }]; // "forgets" b2
      }
    }
    await expect(runLayerTest(() => new Lying({ name: 'liar', ratio: 4 }), { input: [5, 4, 8] })).rejects.toThrow(
      'runLayerTest(liar): parameters: declared 34 trainable, the built weights hold 42 (liar/w1 [8, 2]: 16, liar/b1 [2]: 2, liar/w2 [2, 8]: 16, liar/b2 [8]: 8)',
    );
  });

  it("a variant that leaves the gate's h·w·c multiply out of its MACs fails with macs: 'exact'", async () => {
    class Cheap extends SqueezeExcite {
      override specs(input: Shape): LayerSpec[] {
        const [spec] = super.specs(input) as [Extract<LayerSpec, { type: 'custom' }>];
        const [h = 0, w = 0, c = 0] = input;
        return [{ ...spec, macs: (spec.macs ?? 0) - h * w * c }]; // the two dense layers only
      }
    }
    const make = () => new Cheap({ name: 'cheap', ratio: 4 });
    await expect(runLayerTest(make, { input: [5, 4, 8], macs: 'exact' })).rejects.toThrow(
      'runLayerTest(cheap): MACs: declared 32 as exact, the ops multiply 192 per image at input [5, 4, 8] ' +
        '(BatchMatMul [1, 8]·[8, 2] → [1, 2]: 16, BatchMatMul [1, 2]·[2, 8] → [1, 8]: 16, ' +
        'Multiply [1, 5, 4, 8]·[1, 1, 1, 8] → [1, 5, 4, 8]: 160)',
    );
    // An undercount is no overcount: the default (the declaration at most what the ops multiply) passes it.
    await expect(runLayerTest(make, { input: [5, 4, 8] })).resolves.toMatchObject({
      macs: { declared: 32, measured: 192 },
    });
  });

  it('survives a JSON round trip of the whole model, weights included', async () => {
    const original = model().build(INPUT, { seed: 4 });
    const copy = fromJSON(JSON.parse(JSON.stringify(toJSON(original)))) as Layer;
    expect(copy.children[1]).toBeInstanceOf(SqueezeExcite);
    copy.build(INPUT).setWeights(original.getWeights());
    const x = tf.randomNormal([2, ...INPUT], 0, 1, 'float32', 1);
    const [a, b] = [original.apply(x), copy.apply(x)];
    expect(Array.from(await b.data())).toEqual(Array.from(await a.data()));
    tf.dispose([x, a, b]);
    original.dispose();
    copy.dispose();
  });

  it('exports to ONNX through its registered exporter; onnxruntime-node agrees within 1e-4', async () => {
    const net = model().build(INPUT, { seed: 5 });
    const x = tf.randomNormal([3, ...INPUT], 0, 1, 'float32', 2);
    const y = net.apply(x);
    const session = await InferenceSession.create(await exportOnnx(net, { input: INPUT }), { intraOpNumThreads: 1 });
    try {
      const feed = { [session.inputNames[0] as string]: new Tensor('float32', await x.data(), x.shape) };
      const out = (await session.run(feed))[session.outputNames[0] as string];
      expect(out?.dims).toEqual([3, 3]);
      expect(maxAbsDiff(out?.data as Float32Array, await y.data())).toBeLessThanOrEqual(1e-4);
    } finally {
      await session.release();
    }
    tf.dispose([x, y]);
    net.dispose();
  });
});
