/**
 * convkit's torchvision mapping against PyTorch's own models, both ways
 * (the Python side is torchvision-compare.py, the shared steps
 * test/torchvision-compare.ts). Not part of `pnpm test`: run it with
 * `pnpm --filter @convkit/io compare:torchvision` on a machine with
 * python3-torch and python3-torchvision (Debian: apt-get install
 * python3-torchvision). Without them it skips and says why.
 * `CONVKIT_TORCHVISION=resnet18,densenet121` runs only those models.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTorchvision,
  runCompare,
  type TorchvisionCase,
  torchToConvkit,
  writeCases,
} from '../test/torchvision-compare.js';

const ALL: readonly TorchvisionCase[] = [
  { name: 'alexnet-torchvision', torchvision: 'alexnet', input: [224, 224, 3] },
  { name: 'vgg11', torchvision: 'vgg11', input: [224, 224, 3] },
  { name: 'vgg11-bn', torchvision: 'vgg11_bn', input: [224, 224, 3] },
  { name: 'vgg16', torchvision: 'vgg16', input: [224, 224, 3] },
  { name: 'vgg19-bn', torchvision: 'vgg19_bn', input: [224, 224, 3] },
  { name: 'googlenet-torchvision', torchvision: 'googlenet', input: [224, 224, 3] },
  { name: 'inception-v3', torchvision: 'inception_v3', input: [299, 299, 3] },
  // Global average pools end these: at 112² the same weights are mapped in a quarter of 224²'s time (ResNet-18/50 at 224²).
  { name: 'resnet18', torchvision: 'resnet18', input: [224, 224, 3] },
  { name: 'resnet34', torchvision: 'resnet34', input: [112, 112, 3] },
  { name: 'resnet50', torchvision: 'resnet50', input: [224, 224, 3] },
  { name: 'resnet101', torchvision: 'resnet101', input: [112, 112, 3] },
  { name: 'resnet152', torchvision: 'resnet152', input: [112, 112, 3] },
  { name: 'squeezenet-1.0', torchvision: 'squeezenet1_0', input: [224, 224, 3] },
  { name: 'squeezenet-1.1', torchvision: 'squeezenet1_1', input: [224, 224, 3] },
  { name: 'mobilenet-v2', torchvision: 'mobilenet_v2', input: [224, 224, 3] },
  { name: 'shufflenet-v2-x1.0', torchvision: 'shufflenet_v2_x1_0', input: [224, 224, 3] },
  { name: 'densenet121', torchvision: 'densenet121', input: [112, 112, 3] },
];
const only = process.env.CONVKIT_TORCHVISION?.split(',').filter(Boolean);
const MODELS = ALL.filter((m) => !only || only.includes(m.name));
const CLASSES = 10;

const found = findTorchvision();
console.log(`torchvision comparison: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);
const folder = mkdtempSync(join(tmpdir(), 'convkit-torchvision-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

describe.skipIf(!found.python)('torchvision mapping against PyTorch’s own forward', () => {
  it('convkit → PyTorch: strict load_state_dict and the same logits', async () => {
    await writeCases(folder, MODELS, CLASSES);
    const { status, output } = runCompare(found.python as string, folder);
    console.log(output);
    expect(status, output).toBe(0);
  }, 1_200_000);

  it.each(MODELS.map((m, k) => [m.name, k] as const))(
    'PyTorch → convkit: %s loads torchvision’s own weights and gives its logits',
    (_name, k) => {
      const c = MODELS[k] as TorchvisionCase;
      const { diff, scale, ignored } = torchToConvkit(folder, c, k, CLASSES);
      console.log(
        JSON.stringify({ model: c.name, direction: 'torch→convkit', max_abs_diff: diff, max_abs_output: scale }),
      );
      expect(ignored.every((key) => key.endsWith('num_batches_tracked'))).toBe(true);
      expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
    },
    300_000,
  );
});
