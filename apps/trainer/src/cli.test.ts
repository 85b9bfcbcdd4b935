import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listModels } from '@convkit/zoo';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from '../test/cli.js';

afterEach(() => vi.restoreAllMocks());

describe('convkit CLI', () => {
  it('summary vgg16 --json: 138,357,544 parameters, from shapes alone', async () => {
    const { code, out } = await cli('summary', 'vgg16', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out).totals.params).toBe(138_357_544);
  });

  it('summary prints the layer table for another input and class count', async () => {
    const { code, out } = await cli('summary', 'lenet5-modern', '--input', '32x32x1', '--classes', '7');
    expect(code).toBe(0);
    expect(out).toMatch(/fc3.*\b7\b/);
  });

  it('models --json lists every zoo model', async () => {
    const { code, out } = await cli('models', '--json');
    expect(code).toBe(0);
    const names = (JSON.parse(out) as { name: string }[]).map((m) => m.name);
    expect(names).toEqual(listModels().map((m) => m.name));
    expect(names).toEqual(
      expect.arrayContaining(['lenet5', 'alexnet', 'vgg-d', 'googlenet', 'inception-v2', 'inception-v3', 'nin']),
    );
  });

  it('an unknown model lists the close names; exit 2', async () => {
    const { code, err } = await cli('train', 'lenet', '--data', 'mnist');
    expect(code).toBe(2);
    expect(err).toMatch(/unknown model "lenet"; did you mean lenet5\?/);
    expect(err).toContain('convkit train <model>');
  });

  it('an unknown command and a bad flag show the usage; exit 2', async () => {
    const typo = await cli('trian');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/unknown command "trian"; did you mean train\?/);
    const flag = await cli('summary', 'vgg16', '--inputs', '3');
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/Unknown option '--inputs'/);
    expect(flag.err).toContain('usage: convkit');
    const value = await cli('train', 'lenet5-modern', '--epochs', 'ten');
    expect(value.code).toBe(2);
    expect(value.err).toContain('--epochs must be a positive integer, received "ten"');
  });

  it('a missing dataset path says what was expected and where; exit 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'convkit-cli-'));
    const { code, err } = await cli(
      'train',
      'lenet5-modern',
      '--data',
      'cifar10:/nonexistent/cifar',
      '--out',
      out,
      '--backend',
      'cpu',
    );
    expect(code).toBe(2);
    expect(err).toContain(
      '--data cifar10:/nonexistent/cifar: no such folder. Expected a folder holding data_batch_1.bin',
    );
    const kind = await cli('train', 'lenet5-modern', '--data', 'imagenet', '--backend', 'cpu');
    expect(kind.err).toMatch(/unknown --data "imagenet"; expected mnist \| fashion-mnist/);
  });

  it('an unknown --backend exits 2 with the same message in every command, before a backend starts or a run is read', async () => {
    const message =
      '--backend must be one of auto, cpu, wasm, webgpu, native, cuda, received "wasn"; did you mean wasm?';
    const runs = {
      train: await cli('train', 'lenet5-modern', '--backend', 'wasn'),
      eval: await cli('eval', '/nonexistent/run', '--backend', 'wasn'),
      viz: await cli('viz', '/nonexistent/run', 'filters', '--backend', 'wasn'),
      export: await cli('export', '/nonexistent/run', '--format', 'onnx', '--backend', 'wasn'),
    };
    for (const [command, { code, err }] of Object.entries(runs)) {
      expect({ command, code }).toEqual({ command, code: 2 });
      expect(err.split('\n')[0]).toBe(`convkit: ${message}`);
    }
    const far = await cli('eval', '/nonexistent/run', '--backend', 'directml');
    expect(far.code).toBe(2);
    expect(far.err.split('\n')[0]).toBe(
      'convkit: --backend must be one of auto, cpu, wasm, webgpu, native, cuda, received "directml"',
    );
  });

  it('the usage texts list every backend name', async () => {
    const { BACKEND_CHOICES } = await import('@convkit/backend/names');
    const help = await cli('help');
    const train = await cli('train', '--help');
    for (const text of [help.out, train.out])
      expect(text).toContain(`--backend NAME     ${BACKEND_CHOICES.join(' | ')}`);
  });

  it('help lists every command', async () => {
    const { code, out } = await cli('help');
    expect(code).toBe(0);
    for (const command of ['train', 'eval', 'summary', 'models', 'backends', 'viz', 'lecture'])
      expect(out).toContain(`  ${command}`);
  });
});
