/**
 * convkit's torchvision mapping against PyTorch's own models, both ways
 * (the Python side is torchvision-compare.py). Not part of `pnpm test`:
 * run it with `pnpm --filter @convkit/io compare:torchvision` on a machine
 * with python3-torch and python3-torchvision (Debian: apt-get install
 * python3-torchvision). Without them it skips and says why.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import type { Layer } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../src/safetensors.js';
import { exportTorchvision, loadTorchvision } from '../src/torchvision/weights.js';
import { randomizeWeights, uniform } from '../test/random.js';

const MODELS = [
  { name: 'alexnet-torchvision', torchvision: 'alexnet', input: [224, 224, 3] },
  { name: 'vgg11', torchvision: 'vgg11', input: [224, 224, 3] },
  { name: 'vgg11-bn', torchvision: 'vgg11_bn', input: [224, 224, 3] },
  { name: 'vgg16', torchvision: 'vgg16', input: [224, 224, 3] },
  { name: 'vgg19-bn', torchvision: 'vgg19_bn', input: [224, 224, 3] },
  { name: 'googlenet-torchvision', torchvision: 'googlenet', input: [224, 224, 3] },
  { name: 'inception-v3', torchvision: 'inception_v3', input: [299, 299, 3] },
] as const;
const CLASSES = 10;

/** The first python3 that imports torch and torchvision, or why there is none. */
function findPython(): { python?: string; why: string } {
  for (const python of [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p)) {
    const probe = spawnSync(
      python,
      ['-c', 'import torch, torchvision; print(torch.__version__, torchvision.__version__)'],
      { encoding: 'utf8' },
    );
    if (probe.status === 0)
      return { python, why: `${python}: torch ${probe.stdout.trim().replace(' ', ', torchvision ')}` };
  }
  return { why: 'no python3 here imports torch and torchvision (Debian: apt-get install python3-torchvision)' };
}

const found = findPython();
console.log(`torchvision comparison: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);
const folder = mkdtempSync(join(tmpdir(), 'convkit-torchvision-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

/** Runs a model on a NHWC input; the output as an NCHW-agnostic flat array (logits). */
function run(model: Layer, x: tf.Tensor): Float32Array {
  const y = tf.tidy(() => model.apply(x));
  const out = y.dataSync() as Float32Array;
  y.dispose();
  return out;
}

describe.skipIf(!found.python)('torchvision mapping against PyTorch’s own forward', () => {
  const inputs = new Map<string, tf.Tensor>();

  it('convkit → PyTorch: strict load_state_dict and the same logits', async () => {
    // One model at a time (a loop, not Promise.all over a map): the big ones would not fit in memory together.
    const manifest: Record<string, unknown>[] = [];
    for (const [k, { name, torchvision, input }] of MODELS.entries()) {
      const model = getModel(name, {
        numClasses: CLASSES,
        auxLogits: name === 'googlenet-torchvision' || name === 'inception-v3',
      }).build([...input], { seed: k });
      randomizeWeights(model, 10 + k);
      const [h, w, c] = input;
      const x = tf.tensor(uniform(h * w * c, 100 + k), [1, h, w, c]);
      inputs.set(name, x);
      const nchw = tf.transpose(x, [0, 3, 1, 2]);
      writeFileSync(
        join(folder, `${name}.input.safetensors`),
        encodeSafetensors({ input: { data: nchw.dataSync() as Float32Array, shape: [1, c, h, w] } }),
      );
      nchw.dispose();
      writeFileSync(
        join(folder, `${name}.convkit.safetensors`),
        encodeSafetensors(await exportTorchvision(model, name)),
      );
      writeFileSync(
        join(folder, `${name}.convkit-output.safetensors`),
        encodeSafetensors({ output: { data: run(model, x), shape: [1, CLASSES] } }),
      );
      model.dispose();
      manifest.push({
        name,
        torchvision,
        classes: CLASSES,
        input: `${name}.input.safetensors`,
        convkit_weights: `${name}.convkit.safetensors`,
        convkit_output: `${name}.convkit-output.safetensors`,
        torch_weights: `${name}.torch.safetensors`,
        torch_output: `${name}.torch-output.safetensors`,
      });
    }
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 1));
    const result = spawnSync(found.python as string, [join(import.meta.dirname, 'torchvision-compare.py'), folder], {
      encoding: 'utf8',
    });
    console.log(
      result.stdout,
      result.stderr
        .split('\n')
        .filter((l) => !/Warning|warn\(/.test(l))
        .join('\n'),
    );
    expect(result.status, result.stdout).toBe(0);
  }, 600_000);

  it.each(MODELS.map((m) => m.name))(
    'PyTorch → convkit: %s loads torchvision’s own weights and gives its logits',
    (name) => {
      const spec = MODELS.find((m) => m.name === name);
      const aux = name === 'googlenet-torchvision' || name === 'inception-v3';
      const model = getModel(name, { numClasses: CLASSES, auxLogits: aux }).build([...(spec?.input ?? [])]);
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(folder, `${name}.torch.safetensors`))));
      const { ignored } = loadTorchvision(model, name, tensors);
      expect(ignored.every((k) => k.endsWith('num_batches_tracked'))).toBe(true);
      const want = decodeSafetensors(
        new Uint8Array(readFileSync(join(folder, `${name}.torch-output.safetensors`))),
      ).tensors.get('output')?.values;
      const got = run(model, inputs.get(name) as tf.Tensor);
      let diff = 0;
      let scale = 0;
      got.forEach((v, i) => {
        diff = Math.max(diff, Math.abs(v - (want?.[i] as number)));
        scale = Math.max(scale, Math.abs(want?.[i] as number));
      });
      console.log(
        JSON.stringify({ model: name, direction: 'torch→convkit', max_abs_diff: diff, max_abs_output: scale }),
      );
      expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
      model.dispose();
    },
    300_000,
  );
});
