import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { decodeSafetensors, encodeSafetensors, pytorchModelFiles, UnsupportedError } from '@convkit/io';
import { type BaseConfig, Conv2d, Dense, Flatten, Layer, registerLayer, sequential } from '@convkit/layers';
import { mulberry32 } from '@convkit/shape';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scale, SqueezeExcite } from './index.js';

// The PyTorch hook as a downstream package uses it: scale and squeezeExcite register their model.py
// forms (scale.ts, squeeze-excite.ts), and PyTorch itself checks them (skipped where python3 has no torch).

beforeAll(async () => {
  await initBackend('cpu');
});

/** The first of `$PYTHON`, `python3`, `/usr/bin/python3` that imports torch (Debian's python3-torch). */
function findTorch(): string | undefined {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  return candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}
const python = findTorch();

const INPUT = [6, 6, 2];
const model = () =>
  sequential([
    new Conv2d({ name: 'conv', filters: 8, kernel: 3, padding: 1 }),
    new SqueezeExcite({ name: 'se', ratio: 4 }),
    new Scale({ name: 'scale', bias: true }),
    new Flatten({ name: 'flat' }),
    new Dense({ name: 'fc', units: 3 }),
    new Scale({ name: 'logit_scale' }),
  ]);

/** Seeded values in [−1, 1), and every weight set from them (the initializers' ones and zeros would hide a mix-up). */
function randomize(layer: Layer, seed: number): void {
  const random = mulberry32(seed);
  const values: Record<string, tf.Tensor> = {};
  for (const [name, v] of layer.namedWeights())
    values[name] = tf.tensor(
      Float32Array.from({ length: v.size }, () => 2 * random() - 1),
      v.shape,
    );
  layer.setWeights(values);
  tf.dispose(Object.values(values));
}

const DRIVER = `import sys
import torch
sys.path.insert(0, sys.argv[1])
import model as m

ck = m.ck
weights, _ = ck.read_safetensors("weights.safetensors")
data, _ = ck.read_safetensors("input.safetensors")
net = m.build_model()
m.load_convkit_weights(net, weights)
net.eval()
y = net(data["x"])
(y * data["dy"]).sum().backward()
params = dict(net.named_parameters())
back = {"same": lambda g: g, "oihw": lambda g: g.permute(2, 3, 1, 0), "linear": lambda g: g.t()}
out = {"y": y}
for name, (key, layout) in m.CONVKIT_WEIGHTS.items():
    out["g:" + name] = back[layout](params[key].grad)
ck.write_safetensors("out.safetensors", out)
`;

describe.skipIf(!python)('scale and squeezeExcite in a generated PyTorch model.py', () => {
  const dir = mkdtempSync(join(tmpdir(), 'example-layer-pytorch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives convkit’s output within 1e-5 and its weight gradients within 1e-3 relative', async () => {
    const net = model().build(INPUT, { seed: 1 });
    randomize(net, 2);
    for (const [file, text] of Object.entries(pytorchModelFiles(net.toJSON(), { inputShape: INPUT })))
      writeFileSync(join(dir, file), text);
    const weights = Object.fromEntries(
      await Promise.all(net.namedWeights().map(async ([n, v]) => [n, { data: await v.data(), shape: v.shape }])),
    );
    writeFileSync(join(dir, 'weights.safetensors'), encodeSafetensors(weights));
    const random = mulberry32(3);
    const x = tf.tensor(
      Float32Array.from({ length: 2 * 6 * 6 * 2 }, () => 2 * random() - 1),
      [2, ...INPUT],
    );
    const dy = tf.tensor([0.3, -1, 0.5, 2, -0.7, 1.1], [2, 3]);
    const trainable = net.namedWeights().filter(([, v]) => v.trainable);
    let y: tf.Tensor = tf.scalar(0);
    const { value, grads } = tf.variableGrads(
      () => {
        y = tf.keep(net.apply(x));
        return tf.sum(tf.mul(y, dy)) as tf.Scalar;
      },
      trainable.map(([, v]) => v),
    );
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    writeFileSync(
      join(dir, 'input.safetensors'),
      encodeSafetensors({
        x: { data: await nchw.data(), shape: nchw.shape },
        dy: { data: await dy.data(), shape: dy.shape },
      }),
    );
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    const run = spawnSync(python as string, ['driver.py', dir], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const out = decodeSafetensors(readFileSync(join(dir, 'out.safetensors'))).tensors;
    const got = (k: string) => Array.from(out.get(k)?.values ?? []);
    const worst = (a: number[], b: ArrayLike<number>) =>
      a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), a.length === b.length ? 0 : Number.NaN);
    expect(worst(got('y'), await y.data())).toBeLessThan(1e-5);
    for (const [name, v] of trainable) {
      const want = await (grads[v.name] as tf.Tensor).data();
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(worst(got(`g:${name}`), want), name).toBeLessThan(1e-3 * scale);
    }
    tf.dispose([x, dy, y, value, nchw, ...Object.values(grads)]);
    net.dispose();
  }, 120_000);
});

/** A downstream layer with no PyTorch form: registered as a layer only. */
class Negate extends Layer<BaseConfig> {
  readonly type = 'negateExample';
  specs(input: number[]) {
    return [
      {
        type: 'custom' as const,
        kind: this.type,
        name: this.name,
        output: [...input],
        params: { trainable: 0 },
        macs: 0,
        field: 'none' as const,
      },
    ];
  }
  protected call(x: tf.Tensor): tf.Tensor {
    return tf.neg(x);
  }
}
declare module '@convkit/layers' {
  interface LayerConfigs {
    negateExample: BaseConfig;
  }
}
registerLayer('negateExample', (config) => new Negate(config), { keys: { name: true } });

describe('a downstream layer without a PyTorch form', () => {
  it('makes pytorchModelFiles throw an UnsupportedError naming the layer, its type and the hook', () => {
    const net = sequential([new Scale({ name: 'scale' }), new Negate({ name: 'flip' }), new Flatten()]);
    const call = () => pytorchModelFiles(net.toJSON(), { inputShape: [2, 2, 3] });
    expect(call).toThrow(UnsupportedError);
    expect(call).toThrow(/flip \(negateExample\).*registerPytorchExport\("negateExample"/);
  });
});
