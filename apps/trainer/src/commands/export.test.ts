import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { decodeSafetensors, importOnnx } from '@convkit/io';
import { fromJSON } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunFolder } from '../../test/checkpoint.js';
import { UsageError } from '../errors.js';
import { defaultExportPath, exportBytes, exportCommand, parseExportArgs, preprocessingNote } from './export.js';

const dir = mkdtempSync(join(tmpdir(), 'convkit-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

describe('parseExportArgs', () => {
  it('reads the target, format, output and opset', () => {
    expect(parseExportArgs(['runs/a', '--format', 'onnx', '--out', 'a.onnx', '--opset', '17'])).toEqual({
      target: 'runs/a',
      format: 'onnx',
      out: 'a.onnx',
      opset: 17,
      backend: 'cpu',
    });
  });

  it('explains what is wrong', () => {
    expect(() => parseExportArgs(['--format', 'onnx'])).toThrow(UsageError);
    expect(() => parseExportArgs(['runs/a', '--format', 'pt'])).toThrow(
      /--format must be one of onnx, safetensors, torchvision, pytorch, received "pt"/,
    );
    expect(() => parseExportArgs(['runs/a'])).toThrow(/received null/);
    expect(() => parseExportArgs(['runs/a', '--format', 'safetensors', '--opset', '13'])).toThrow(
      /goes with --format onnx/,
    );
  });

  it('puts exports in the run folder by default', () => {
    expect(defaultExportPath('runs/a', 'vgg16', 'torchvision')).toBe(
      join('runs/a', 'export', 'vgg16.torchvision.safetensors'),
    );
  });
});

describe('convkit export', () => {
  /** A run folder as `convkit train` leaves it, with an untrained LeNet-5 checkpoint. */
  async function runFolder(): Promise<{ run: string; model: ReturnType<typeof getModel> }> {
    const model = getModel('lenet5-modern').build([28, 28, 1], { seed: 3 });
    const config = { model: 'lenet5-modern', data: 'mnist', seed: 3, normalize: { mean: [0], std: [1] } };
    const run = await writeRunFolder(join(dir, 'run'), model, config);
    return { run, model };
  }

  it('writes an ONNX file that computes what the run’s model computes', async () => {
    const { run, model } = await runFolder();
    const lines: string[] = [];
    expect(await exportCommand([run, '--format', 'onnx'], (l) => lines.push(l))).toBe(0);
    const file = join(run, 'export', 'lenet5-modern.onnx');
    expect(lines.join('\n')).toContain(`wrote ${file}: onnx`);
    // The run normalized with mean 0, std 1: the graph does not, so the user must.
    expect(lines).toContain(
      'note: the graph has no preprocessing: feed what training fed the model, (pixels / 255 − mean) / std with mean [0] and std [1] per channel',
    );
    const imported = importOnnx(new Uint8Array(readFileSync(file)), { fromJSON, file });
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    const [a, b] = tf.tidy(() => [model.apply(x), imported.model.apply(x)]);
    expect(Array.from(b?.dataSync() ?? [])).toEqual(Array.from(a?.dataSync() ?? []));
    tf.dispose([x, a as tf.Tensor, b as tf.Tensor]);
  });

  it('says what preprocessing the ONNX graph leaves out, for each normalize', () => {
    expect(preprocessingNote('unit')).toBe(
      'note: the graph has no preprocessing: feed what training fed the model, pixels / 255 (values in [0, 1])',
    );
    expect(preprocessingNote({ mean: [0.485, 0.456, 0.406], std: 0.25 })).toBe(
      'note: the graph has no preprocessing: feed what training fed the model, (pixels / 255 − mean) / std with mean [0.485, 0.456, 0.406] and std 0.25 per channel',
    );
    // A run folder from before normalize was recorded trained with the default.
    expect(preprocessingNote(undefined)).toContain('pixels / 255 (values in [0, 1])');
  });

  it('writes the weights under convkit names with the architecture, to --out', async () => {
    const { run, model } = await runFolder();
    const file = join(dir, 'weights.safetensors');
    const lines: string[] = [];
    expect(await exportCommand([run, '--format', 'safetensors', '--out', file], (l) => lines.push(l))).toBe(0);
    // Weights alone carry no preprocessing to speak of: no note.
    expect(lines.some((l) => l.startsWith('note:'))).toBe(false);
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(file)));
    expect([...tensors.keys()]).toEqual(model.namedWeights().map(([n]) => n));
    expect(JSON.parse(metadata.architecture ?? '{}').type).toBe('sequential');
    expect(metadata.input).toBe('[28,28,1]');
  });

  it('refuses torchvision names for a model torchvision does not have, saying which it has', async () => {
    const model = getModel('lenet5-modern').build([28, 28, 1]);
    await expect(exportBytes(model, 'lenet5-modern', [28, 28, 1], 'torchvision')).rejects.toThrow(UsageError);
    await expect(exportBytes(model, 'lenet5-modern', [28, 28, 1], 'torchvision')).rejects.toThrow(
      /cannot export lenet5-modern as torchvision: .*vgg16/,
    );
  });
});
