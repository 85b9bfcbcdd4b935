import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { fromJSON } from '@convkit/layers';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromNhwc, toNhwc } from '../../test/nchw.js';
import { runPython, tempFolder } from '../../test/python.js';
import { maxAbsDiff } from '../../test/random.js';
import { findTorchvision } from '../../test/torchvision-compare.js';
import { importOnnx } from './import.js';

// Residual graphs as PyTorch writes them (torch.onnx.export of torchvision's ResNet-18 and MobileNet v2:
// Add joins with identity and projection shortcuts, Clip(0, 6) as relu6), imported and run against
// PyTorch's own forward on the same input. Skips without torch and torchvision.

const found = findTorchvision();
console.log(`ONNX import of torch exports: ${found.python ? 'running with' : 'skipped:'} ${found.why}`);

const SCRIPT = `
import sys, numpy as np, torch, torchvision
name, side = sys.argv[1], int(sys.argv[2])
torch.manual_seed(0)
model = getattr(torchvision.models, name)().eval()
with torch.no_grad():
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):  # statistics other than 0 and 1, so a misplaced BN shows
            m.running_mean.uniform_(-0.5, 0.5); m.running_var.uniform_(0.5, 1.5)
            m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.5, 0.5)
    x = torch.rand(1, 3, side, side)
    torch.onnx.export(model, x, 'model.onnx', opset_version=13, input_names=['input'], output_names=['output'])
    x.numpy().astype('<f4').tofile('x.bin'); model(x).numpy().astype('<f4').tofile('y.bin')
`;

const folder = tempFolder('convkit-onnx-torch-');
const floats = (path: string) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
};

beforeAll(async () => {
  await initBackend('cpu');
  writeFileSync(join(folder.dir, 'export.py'), SCRIPT);
});
afterAll(() => folder.remove());

describe.skipIf(!found.python)('importOnnx on torchvision models exported by torch.onnx', () => {
  it.each(['resnet18', 'mobilenet_v2'])(
    '%s at 64×64: the logits PyTorch computes',
    (name) => {
      runPython(found.python as string, folder.dir, 'export.py', [name, '64']);
      const { model, architecture } = importOnnx(new Uint8Array(readFileSync(join(folder.dir, 'model.onnx'))), {
        fromJSON,
        file: `${name}.onnx`,
      });
      expect(JSON.stringify(architecture)).toContain('"type":"add"');
      const x = toNhwc(floats(join(folder.dir, 'x.bin')), [1, 3, 64, 64]);
      const y = tf.tidy(() => model.apply(x));
      const want = floats(join(folder.dir, 'y.bin'));
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(scale).toBeGreaterThan(1e-2);
      // Measured: resnet18 4.2e-6 of 4.58, mobilenet_v2 6.6e-7 of 0.83.
      expect(maxAbsDiff(fromNhwc(y), want)).toBeLessThan(1e-4 * scale);
      tf.dispose([x, y]);
      model.dispose();
    },
    120_000,
  );
});
