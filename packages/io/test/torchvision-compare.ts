/**
 * convkit's torchvision mapping against torchvision's own models, both ways, for one list of zoo
 * models: scripts/torchvision-compare.py does the PyTorch side in one python process. Used by the
 * `compare:torchvision` runner (every mapped model, paper sizes) and by weights-residual.test.ts
 * (the issue-23 families at small inputs, in `pnpm test` where torch is installed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layer } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors } from '../src/safetensors.js';
import { exportTorchvision, loadTorchvision } from '../src/torchvision/weights.js';
import { randomizeWeights, uniform } from './random.js';

/** A zoo model, torchvision's constructor name for it, and the `[h, w, c]` input it is compared at. */
export interface TorchvisionCase {
  readonly name: string;
  readonly torchvision: string;
  readonly input: readonly number[];
}

/** The first python3 that imports torch and torchvision, or why there is none. */
export function findTorchvision(): { python?: string; why: string } {
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

/** The comparison's script, next to the runner. */
export const COMPARE_SCRIPT = join(import.meta.dirname, '..', 'scripts', 'torchvision-compare.py');

const withAux = (name: string) => name === 'googlenet-torchvision' || name === 'inception-v3';

/** The zoo model of a case, built (auxiliary heads on for the torchvision ports that have them). */
export function buildCase(c: TorchvisionCase, classes: number, seed = 0): Layer {
  return getModel(c.name, { numClasses: classes, auxLogits: withAux(c.name) }).build([...c.input], { seed });
}

/** The case's seeded NHWC input: the same values on both sides (PyTorch reads its NCHW transpose). */
export function caseInput(c: TorchvisionCase, k: number): tf.Tensor {
  const [h = 0, w = 0, ch = 0] = c.input;
  return tf.tensor(uniform(h * w * ch, 100 + k), [1, h, w, ch]);
}

/** Runs a model on an NHWC input: its logits, flat. Scripts and tests only (a synchronous read). */
export function logits(model: Layer, x: tf.Tensor): Float32Array {
  const y = tf.tidy(() => model.apply(x));
  const out = y.dataSync() as Float32Array;
  y.dispose();
  return out;
}

/**
 * Writes the comparison's folder for every case (one model alive at a time: the big ones would not fit
 * together): the input, convkit's randomized weights under torchvision's names, convkit's logits, and
 * manifest.json for the script.
 */
export async function writeCases(folder: string, cases: readonly TorchvisionCase[], classes: number): Promise<void> {
  const manifest: Record<string, unknown>[] = [];
  for (const [k, c] of cases.entries()) {
    const model = buildCase(c, classes, k);
    randomizeWeights(model, 10 + k);
    const x = caseInput(c, k);
    const nchw = tf.transpose(x, [0, 3, 1, 2]);
    const file = (suffix: string) => join(folder, `${c.name}.${suffix}.safetensors`);
    writeFileSync(
      file('input'),
      encodeSafetensors({ input: { data: nchw.dataSync() as Float32Array, shape: nchw.shape } }),
    );
    writeFileSync(file('convkit'), encodeSafetensors(await exportTorchvision(model, c.name)));
    writeFileSync(
      file('convkit-output'),
      encodeSafetensors({ output: { data: logits(model, x), shape: [1, classes] } }),
    );
    tf.dispose([x, nchw]);
    model.dispose();
    manifest.push({
      name: c.name,
      torchvision: c.torchvision,
      classes,
      input: `${c.name}.input.safetensors`,
      convkit_weights: `${c.name}.convkit.safetensors`,
      convkit_output: `${c.name}.convkit-output.safetensors`,
      torch_weights: `${c.name}.torch.safetensors`,
      torch_output: `${c.name}.torch-output.safetensors`,
    });
  }
  writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest, null, 1));
}

/** Runs the script over the folder: its exit status and its JSON lines (warnings left out). */
export function runCompare(python: string, folder: string): { status: number | null; output: string } {
  const result = spawnSync(python, [COMPARE_SCRIPT, folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const stderr = result.stderr
    .split('\n')
    .filter((l) => !/Warning|warn\(/.test(l))
    .join('\n');
  return { status: result.status, output: `${result.stdout}${stderr}` };
}

/**
 * PyTorch → convkit for one case after {@link runCompare}: torchvision's own weights loaded into the zoo
 * model, and max |Δ| of the logits against torchvision's, with torchvision's largest |logit|.
 */
export function torchToConvkit(
  folder: string,
  c: TorchvisionCase,
  k: number,
  classes: number,
): { diff: number; scale: number; ignored: string[] } {
  const model = buildCase(c, classes);
  const read = (suffix: string) =>
    decodeSafetensors(new Uint8Array(readFileSync(join(folder, `${c.name}.${suffix}.safetensors`)))).tensors;
  const { ignored } = loadTorchvision(model, c.name, read('torch'));
  const want = read('torch-output').get('output')?.values ?? [];
  const x = caseInput(c, k);
  const got = logits(model, x);
  x.dispose();
  model.dispose();
  let diff = got.length === want.length ? 0 : Number.POSITIVE_INFINITY;
  let scale = 0;
  got.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - (want[i] as number)));
    scale = Math.max(scale, Math.abs(want[i] as number));
  });
  return { diff, scale, ignored };
}
