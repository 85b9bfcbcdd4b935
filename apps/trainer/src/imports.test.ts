import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initBackend } from '@convkit/backend';
import { decodeOnnx } from '@convkit/io';
import { getModel } from '@convkit/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunFolder } from '../test/checkpoint.js';
import { cli } from '../test/cli.js';
import { UsageError } from './errors.js';
import { importSpecifier, takeImports } from './imports.js';

const PLUGIN = fileURLToPath(new URL('../test/channel-gain-plugin.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'convkit-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await initBackend('cpu');
});

describe('takeImports', () => {
  it('takes every --import (both spellings) out of the arguments, in order', () => {
    expect(takeImports(['run', '--import', './a.js', '--format', 'onnx', '--import=pkg'])).toEqual({
      imports: ['./a.js', 'pkg'],
      rest: ['run', '--format', 'onnx'],
    });
  });

  it('refuses a missing module', () => {
    expect(() => takeImports(['run', '--import'])).toThrow(UsageError);
    expect(() => takeImports(['run', '--import', '--format'])).toThrow(/--import needs a module/);
    expect(() => takeImports(['--import='])).toThrow(/received ""/);
  });

  it('resolves a path against the working directory and leaves a package name as it is', () => {
    expect(importSpecifier('./x/plugin.js', '/work')).toBe(pathToFileURL('/work/x/plugin.js').href);
    expect(importSpecifier('my-layers', '/work')).toBe('my-layers');
  });
});

describe('convkit --import', () => {
  it('a module that does not load is a usage error naming it', async () => {
    const { code, err } = await cli('models', '--import', join(dir, 'missing.js'));
    expect(code).toBe(2);
    expect(err).toContain(`--import ${join(dir, 'missing.js')}: cannot load it`);
  });

  it('exports a model with a downstream layer to ONNX once its module is imported', async () => {
    // Without the module the run's model is unknown to this process.
    const before = await cli('models', '--json');
    expect(before.out).not.toContain('gained-net');
    const listed = await cli('models', '--json', '--import', PLUGIN);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('gained-net');

    const model = getModel('gained-net').build([28, 28, 1], { seed: 1 });
    const run = await writeRunFolder(join(dir, 'run'), model, { model: 'gained-net', data: 'mnist', seed: 1 });
    model.dispose();

    const file = join(dir, 'gained.onnx');
    const { code, out, err } = await cli('export', run, '--format', 'onnx', '--out', file, '--import', PLUGIN);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(`wrote ${file}: onnx`);
    const ops = decodeOnnx(new Uint8Array(readFileSync(file)), file).graph.nodes.map((n) => `${n.op}:${n.name}`);
    expect(ops).toContain('Mul:gain1');
  });
});
