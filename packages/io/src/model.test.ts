import { initBackend } from '@convkit/backend';
import { add, Conv2d, Dense, Flatten, sequential } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomizeWeights } from '../test/random.js';
import { UnsupportedError } from './errors.js';
import { childrenOf, flattenedDenses, type LayerLike, readWeights, valuesOf } from './model.js';
import { decodeOnnx } from './onnx/decode.js';
import { exportOnnx } from './onnx/export.js';
import { registerOnnxExport } from './onnx/export-registry.js';
import { tensorFloats } from './onnx/tensor-data.js';
import { exportTorchvision } from './torchvision/weights.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const remove of cleanups.splice(0)) remove();
});

function small() {
  const m = sequential([
    new Conv2d({ name: 'conv1', filters: 3, kernel: 3, activation: 'relu' }),
    new Flatten({ name: 'flat' }),
    new Dense({ name: 'fc', units: 4 }),
  ]).build([5, 5, 2], { seed: 1 });
  randomizeWeights(m, 3);
  return m;
}

/** A plain object of another type standing for `layer`: its name, shapes and weights. */
function leaf(layer: LayerLike, type: string): LayerLike {
  return {
    type,
    name: layer.name,
    config: {},
    outputShape: (input) => layer.outputShape(input),
    namedWeights: () => layer.namedWeights(),
    setWeights: () => {},
  };
}

describe('readWeights: every weight read once, asynchronously', () => {
  it("reads the children's weights too, even when a container lists none itself", async () => {
    const m = small();
    // A downstream container that does not forward namedWeights(): its children still hold weights.
    const opaque: LayerLike = { ...leaf(m, 'opaque'), namedWeights: () => [], children: childrenOf(m) };
    const weights = await readWeights(opaque);
    expect(weights.size).toBe(4);
    for (const [name, v] of m.namedWeights()) {
      expect(Array.from(valuesOf(weights, v)), name).toEqual(Array.from(await v.data()));
    }
    m.dispose();
  });

  it('a weight that was not read throws UnsupportedError naming it, instead of reading it synchronously', () => {
    const v = tf.variable(tf.zeros([2, 3]), true, 'stray/kernel');
    const readSync = vi.spyOn(tf.engine(), 'readSync');
    const error = (() => {
      try {
        valuesOf(new Map(), v);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnsupportedError);
    expect((error as Error).message).toMatch(/^weight "stray\/kernel" \[2, 3\]: was not read before export/);
    expect(readSync).not.toHaveBeenCalled();
    v.dispose();
  });
});

describe('the exports never read a tensor synchronously', () => {
  it('exportOnnx and exportTorchvision give the same values without one synchronous read', async () => {
    const lenet = small();
    const vgg = getModel('vgg11', { numClasses: 3 }).build([32, 32, 3], { seed: 2 });
    const readSync = vi.spyOn(tf.engine(), 'readSync');
    const onnx = await exportOnnx(lenet, { input: [5, 5, 2] });
    const torch = await exportTorchvision(vgg, 'vgg11');
    expect(readSync).not.toHaveBeenCalled();
    readSync.mockRestore();
    // The dense bias goes out as it is: the initializer holds the variable's own values.
    const fcBias = decodeOnnx(onnx, 'small.onnx').graph.initializers.get('fc/bias');
    expect(Array.from(tensorFloats(fcBias as NonNullable<typeof fcBias>))).toEqual(
      Array.from((await lenet.getWeights()['fc/bias']?.data()) ?? []),
    );
    expect(Array.from(torch['classifier.6.bias']?.data ?? [])).toEqual(
      Array.from((await vgg.getWeights()['fc8/bias']?.data()) ?? []),
    );
    lenet.dispose();
    vgg.dispose();
  });

  it("ctx.values gives a downstream exporter the weight as read, in convkit's layout", async () => {
    const m = small();
    let seen: Float32Array | undefined;
    cleanups.push(
      registerOnnxExport('opaque', (layer, ctx) => {
        seen = ctx.values('kernel');
        return ctx.add('Identity', [ctx.input], layer.name);
      }),
    );
    const wrapped = leaf(childrenOf(m)[0] as LayerLike, 'opaque');
    await exportOnnx(wrapped, { input: [5, 5, 2] });
    expect(Array.from(seen ?? [])).toEqual(Array.from((await m.getWeights()['conv1/kernel']?.data()) ?? []));
    m.dispose();
  });
});

describe('flattenedDenses', () => {
  it('finds a flatten → dense inside the branches of an add, each branch seeing the block input', () => {
    const branch = (k: number) =>
      sequential([new Flatten({ name: `flat${k}` }), new Dense({ name: `fc${k}`, units: 4 })]);
    const model = sequential([new Conv2d({ name: 'conv', filters: 3, kernel: 3 }), add([branch(1), branch(2)])]);
    const found = [...flattenedDenses(model, [5, 5, 2]).entries()].map(([dense, source]) => [dense.name, source.map]);
    expect(found).toEqual([
      ['fc1', [3, 3, 3]],
      ['fc2', [3, 3, 3]],
    ]);
  });
});
