import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { getModel } from '@convkit/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTorchvision,
  runCompare,
  type TorchvisionCase,
  torchToConvkit,
  writeCases,
} from '../../test/torchvision-compare.js';
import { torchvisionModel, torchvisionNames } from './names.js';

// The torchvision mapping of the residual and efficient networks (issue 23): the key set against
// torchvision 0.14's own state_dicts (counted with PyTorch), and, where torch and torchvision are
// installed, both ways against PyTorch's forward (torchvision-compare.py) at small inputs.

beforeAll(async () => {
  await initBackend('cpu');
});

describe('the mapping against torchvision 0.14’s state_dict keys (1000 classes)', () => {
  // len / sum(numel) of torchvision.models.<name>().state_dict() without num_batches_tracked.
  it.each([
    ['resnet18', 102, 11_699_112],
    ['resnet34', 182, 21_814_696],
    ['resnet50', 267, 25_610_152],
    ['resnet101', 522, 44_654_504],
    ['resnet152', 777, 60_344_232],
    ['squeezenet-1.0', 52, 1_248_424],
    ['squeezenet-1.1', 52, 1_235_496],
    ['mobilenet-v2', 262, 3_538_984],
    ['shufflenet-v2-x1.0', 282, 2_294_784],
    ['densenet121', 606, 8_062_504],
  ] as const)(
    '%s: %i keys, %i elements',
    (name, keys, elements) => {
      // The names and shapes only (exporting would read up to 60 M values; the comparison below exports).
      const model = getModel(name).build([32, 32, 3]);
      const names = torchvisionNames(name, model);
      expect(new Set(names.values()).size).toBe(keys);
      expect(model.namedWeights().reduce((a, [, v]) => a + v.size, 0)).toBe(elements);
      model.dispose();
    },
    120_000,
  );

  it('names blocks, shortcuts and branches by torchvision’s module paths', () => {
    expect([
      ...torchvisionNames('resnet50', [
        'layer2/0/downsample/0/kernel',
        'layer2/0/downsample/1/movingVariance',
        'layer4/2/bn3/gamma',
        'fc/kernel',
      ]).values(),
    ]).toEqual([
      'layer2.0.downsample.0.weight',
      'layer2.0.downsample.1.running_var',
      'layer4.2.bn3.weight',
      'fc.weight',
    ]);
    expect(torchvisionNames('shufflenet_v2_x1_0', ['stage2/0/branch1/2/kernel']).get('stage2/0/branch1/2/kernel')).toBe(
      'stage2.0.branch1.2.weight',
    );
    expect(torchvisionModel('squeezenet1_1')).toBe('squeezenet-1.1');
    expect(torchvisionModel('MobileNet_V2')).toBe('mobilenet-v2');
    expect(() => torchvisionModel('resnet20')).toThrow(/"resnet20": has no torchvision mapping/);
  });
});

// Small inputs: every block type is crossed (ResNet-34/101/152 are ResNet-18's and -50's blocks, more of them;
// the compare:torchvision runner checks all ten at 112² or 224²).
const CASES: TorchvisionCase[] = [
  { name: 'resnet18', torchvision: 'resnet18', input: [64, 64, 3] },
  { name: 'resnet50', torchvision: 'resnet50', input: [64, 64, 3] },
  { name: 'squeezenet-1.0', torchvision: 'squeezenet1_0', input: [64, 64, 3] },
  { name: 'squeezenet-1.1', torchvision: 'squeezenet1_1', input: [64, 64, 3] },
  { name: 'mobilenet-v2', torchvision: 'mobilenet_v2', input: [64, 64, 3] },
  { name: 'shufflenet-v2-x1.0', torchvision: 'shufflenet_v2_x1_0', input: [64, 64, 3] },
  { name: 'densenet121', torchvision: 'densenet121', input: [64, 64, 3] },
];
const CLASSES = 10;
const found = findTorchvision();
console.log(
  `torchvision mapping of the residual networks against PyTorch: ${found.python ? 'running with' : 'skipped:'} ${found.why}`,
);

describe.skipIf(!found.python)('both ways against torchvision’s own forward', () => {
  const folder = mkdtempSync(join(tmpdir(), 'convkit-torchvision-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('convkit → PyTorch: strict load_state_dict and the same logits', async () => {
    await writeCases(folder, CASES, CLASSES);
    const { status, output } = runCompare(found.python as string, folder);
    console.log(output);
    expect(status, output).toBe(0);
    expect(output.match(/"ok": true/g)).toHaveLength(CASES.length);
  }, 600_000);

  it.each(CASES.map((c, k) => [c.name, k] as const))(
    'PyTorch → convkit: %s',
    (_name, k) => {
      const { diff, scale, ignored } = torchToConvkit(folder, CASES[k] as TorchvisionCase, k, CLASSES);
      console.log(`${CASES[k]?.name}: torch→convkit max |Δ| ${diff.toExponential(2)} (|y| ≤ ${scale.toFixed(2)})`);
      expect(ignored.every((key) => key.endsWith('.num_batches_tracked'))).toBe(true);
      expect(diff).toBeLessThanOrEqual(1e-4 * Math.max(1, scale));
    },
    120_000,
  );
});
