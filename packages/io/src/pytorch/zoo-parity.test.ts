import { initBackend } from '@convkit/backend';
import { getModel, listModels } from '@convkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTorch } from '../../test/python.js';
import { type ParityCase, type ParityResult, torchParity } from '../../test/torch-compare.js';
import { pytorchModelFiles } from './emit-model.js';

// Every registered zoo model at its smallest valid input (ResNet-50, the MobileNets and ShuffleNets at 48², see
// SIZE; ResNet-101/152 forward only, see FORWARD_ONLY), through pytorchModelFiles' model.py (python3
// with torch) and through convkit with the same weights (biases and batch-norm statistics randomized)
// and batch: inference output within 1e-4 (of max(1, |output|)), the training-mode loss gradient of
// every weight within 1e-3 relative (dropout off), the running statistics after that step within 1e-4.
// Auxiliary heads are built where they fit at up to twice the model's smallest input (GoogLeNet's do;
// Inception v3's need 299²). Skips without torch; prints each model's numbers.

const found = findTorch();
console.log(`zoo PyTorch parity: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);

const CLASSES = 10;
/** `CONVKIT_ZOO_PARITY_BATCH` overrides: batch norm in training mode needs a few examples per channel. */
const BATCH = Number(process.env.CONVKIT_ZOO_PARITY_BATCH ?? 4);
/** `CONVKIT_ZOO_PARITY_SCALE=2` doubles every input side (a better-conditioned check, slower). */
const SCALE = Number(process.env.CONVKIT_ZOO_PARITY_SCALE ?? 1);

/**
 * Models checked at more than their smallest input: at 16² the last stages of ResNet-50, the MobileNets
 * and ShuffleNets are 1×1 maps, and training-mode batch norm over 4 values per channel makes their
 * gradients and running statistics noise in float32 (measured at 16²: ResNet-50's PyTorch float32 vs
 * float64 gradient 2.0 and running statistics 7e-3 apart; MobileNet v2 0.58, ShuffleNet v2 0.33 and 6e-3).
 * At 48² (53²) their last stage is 2×2 (16 values per channel).
 */
const SIZE: Readonly<Record<string, number>> = {
  resnet50: 48,
  'mobilenet-v1': 48,
  // At 48² convkit's gradient of features/16/conv/0/0 is 3e-2 from both PyTorch's float32 and float64 ones
  // (which agree within 5e-4), with 17 ReLU6 inputs within 1e-5 of a kink (one on the other side in float32
  // rounding would do it); at 53² the two float32 gradients agree within 5.7e-5 (measured).
  'mobilenet-v2': 53,
  'shufflenet-v1-g4': 48,
  'shufflenet-v2-x1.0': 48,
};
/**
 * Forward only (no training step): ResNet-101/152 are ResNet-50's bottleneck blocks, more of them, and
 * ResNet-50 checks those blocks' gradients; at their smallest input their gradients are as ill-conditioned
 * as ResNet-50's there, and at 48² their training steps would cost minutes.
 */
const FORWARD_ONLY: ReadonlySet<string> = new Set(['resnet101', 'resnet152']);

/** Whether the model takes `[s, s, c]` (with auxiliary heads or without). */
function fits(name: string, size: number, channels: number, auxLogits: boolean): boolean {
  try {
    getModel(name, { input: [size, size, channels], numClasses: CLASSES, auxLogits }).outputShape([
      size,
      size,
      channels,
    ]);
    return true;
  } catch {
    return false;
  }
}

/** The smallest square input of at least `from` a model takes, found by trying sizes upward. */
function smallest(name: string, channels: number, auxLogits: boolean, from: number, limit: number): number | undefined {
  for (let size = from; size <= limit; size++) if (fits(name, size, channels, auxLogits)) return size;
  return undefined;
}

/** One case per registered model (aliases aside), or per model named in `only`. */
function zooCases(only: readonly string[] | undefined): ParityCase[] {
  const cards = listModels().filter((card) => !only || only.includes(card.name));
  return cards.map((card) => {
    const channels = card.input[2];
    const plain = smallest(card.name, channels, false, 16, card.input[0]) ?? card.input[0];
    const withAux = smallest(card.name, channels, true, plain, 2 * plain);
    const auxLogits =
      withAux !== undefined &&
      JSON.stringify(getModel(card.name, { auxLogits: true }).toJSON()).includes('"auxiliaryHead"');
    const least = SIZE[card.name] ?? (auxLogits ? (withAux as number) : plain);
    const size = smallest(card.name, channels, auxLogits, Math.round(least * SCALE), 4 * least) ?? least;
    const inputShape = [size, size, channels];
    const json = getModel(card.name, { input: [size, size, channels], numClasses: CLASSES, auxLogits }).toJSON();
    return { name: card.name, json, inputShape, batch: BATCH, logTime: true, forwardOnly: FORWARD_ONLY.has(card.name) };
  });
}

/** `CONVKIT_ZOO_PARITY=vgg-a,nin-cifar` runs only those models (all by default). */
const only = process.env.CONVKIT_ZOO_PARITY?.split(',').filter(Boolean);
const CASES = found.python ? zooCases(only) : [];

describe.skipIf(!found.python)('every zoo model: convkit and its PyTorch export agree', () => {
  let results: ParityResult[] = [];
  beforeAll(async () => {
    await initBackend('cpu');
    results = await torchParity(found.python as string, CASES);
  }, 1_800_000);

  it.each(CASES.map((c) => [c.name, c.inputShape.join('×')]))('%s at %s', (name) => {
    const r = results.find((x) => x.name === name);
    if (r?.error) throw new Error(`${name}: ${r.error}`);
    if (!r) throw new Error(`${name}: no result`);
    if (FORWARD_ONLY.has(name)) {
      console.log(`${name}: forward only, max |Δ| ${r.forward.toExponential(2)} (|y| ≤ ${r.scale.toFixed(2)})`);
      expect(r.forward).toBeLessThan(1e-4 * Math.max(1, r.scale));
      return;
    }
    console.log(
      `${name}: forward max |Δ| ${r.forward.toExponential(2)} (|y| ≤ ${r.scale.toFixed(2)}), grad max rel ${r.grad.toExponential(2)} (${r.gradWeight}), running stats ${r.stats.toExponential(2)}, aux ${r.auxCount.join('/')}, PyTorch float32 vs float64 ${r.conditioning.toExponential(2)}, convkit vs float64 ${r.toFloat64.toExponential(2)}, ReLU inputs: least |z| ${r.reluLeast.toExponential(2)}, ${r.reluNear} within 1e-5`,
    );
    expect(r.forward).toBeLessThan(1e-4 * Math.max(1, r.scale));
    expect(r.gradCount[0]).toBe(r.gradCount[1]);
    // Two float32 implementations can agree to 1e-3 only where the gradient is well-conditioned at this
    // input, i.e. where PyTorch's own float32 gradient is within 1e-3 of its float64 one. Where it is not
    // (Inception v2/v3 at these sizes: training-mode batch norm over 1×1 maps of 4 examples, variance near
    // eps), the oracle is model.py in float64: convkit's float32 gradient must be no further from it than
    // PyTorch's float32 gradient is. A wrong export is far from float64 while PyTorch's float32 is near it.
    // Where the two float32 gradients agree within 1e-3 anyway, that agreement is the check (ShuffleNet v2 at
    // 48²: 1.1e-4 apart, each 5.8e-2 from float64, convkit's by 4e-6 relative more than PyTorch's).
    if (r.conditioning < 1e-3 || r.grad < 1e-3)
      expect(r.grad, 'convkit vs PyTorch float32 gradient').toBeLessThan(1e-3);
    else
      expect(
        r.toFloat64,
        "convkit vs PyTorch float64 gradient, at most PyTorch float32's own error",
      ).toBeLessThanOrEqual(r.conditioning);
    expect(r.stats).toBeLessThan(1e-4);
    expect(r.auxCount[0]).toBe(r.auxCount[1]);
  });
});

describe('model.py reads as PyTorch', () => {
  it("vgg-a's model.py declares its convolutions as nn.Conv2d and its classifier as nn.Linear", () => {
    const files = pytorchModelFiles(getModel('vgg-a', { input: [32, 32, 3], numClasses: CLASSES }).toJSON(), {
      inputShape: [32, 32, 3],
      title: 'vgg-a',
    });
    const model = files['model.py'] ?? '';
    expect(model.match(/= nn\.Conv2d\(/g)?.length).toBe(8);
    expect(model).toContain('nn.Conv2d(3, 64, kernel_size=3, padding=1)');
    expect(model.match(/= nn\.Linear\(/g)?.length).toBe(3);
    expect(model).toContain('.permute(0, 2, 3, 1).flatten(1)');
    expect(model).toContain('def build_model():');
    expect(files['convkit_runtime.py']).toContain('def read_safetensors(path):');
  });
});
