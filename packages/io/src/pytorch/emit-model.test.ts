import { join } from 'node:path';
import { initBackend } from '@convkit/backend';
import { fromJSON, type LayerJSON } from '@convkit/layers';
import { getModel } from '@convkit/zoo';
import { beforeAll, describe, expect, it } from 'vitest';
import { findTorch, readTensors, runPython, tempFolder, writeFiles, writeTensors } from '../../test/python.js';
import { UnsupportedError } from '../errors.js';
import { pytorchModelFiles } from './emit-model.js';
import { pytorchExportTypes, registerPytorchExport, registerPytorchHelper } from './registry.js';

const L = (type: string, config: Record<string, unknown> = {}): LayerJSON => ({ type, config });
const seq = (...layers: LayerJSON[]): LayerJSON => L('sequential', { layers });

/** model.py's CONVKIT_WEIGHTS rows: convkit name → [state_dict key, layout]. */
function weightTable(modelPy: string): Map<string, [string, string]> {
  const rows = [...modelPy.matchAll(/^ {4}"([^"]+)": \("([^"]+)", "([^"]+)"\),$/gm)];
  return new Map(rows.map((m) => [m[1] as string, [m[2] as string, m[3] as string]]));
}

describe('pytorchModelFiles', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('names every weight as convkit does, unnamed layers in nested containers included', () => {
    const nested = seq(
      L('conv2d', { filters: 4, kernel: 3 }),
      L('concat', {
        branches: [
          seq(L('conv2d', { filters: 2, kernel: 1 }), L('batchNorm')),
          L('conv2d', { filters: 3, kernel: 1, name: 'side' }),
        ],
      }),
      L('conv2d', { filters: 2, kernel: 1 }),
      L('flatten'),
      L('dense', { units: 3 }),
    );
    const cases: [LayerJSON, number[]][] = [
      [nested, [6, 6, 3]],
      [getModel('googlenet-torchvision', { input: [32, 32, 3], numClasses: 10 }).toJSON(), [32, 32, 3]],
    ];
    for (const [json, input] of cases) {
      const table = weightTable(pytorchModelFiles(json, { inputShape: input })['model.py'] ?? '');
      // The oracle: the names @convkit/layers gives the model built from the same JSON.
      expect([...table.keys()].sort()).toEqual(collectNames(json, input));
    }
  });

  it('throws an UnsupportedError naming a layer whose type has no PyTorch form', () => {
    const json = seq(L('conv2d', { filters: 2, kernel: 1 }), L('scale', { name: 'scale1' }));
    expect(() => pytorchModelFiles(json, { inputShape: [4, 4, 1] })).toThrow(UnsupportedError);
    expect(() => pytorchModelFiles(json, { inputShape: [4, 4, 1] })).toThrow(
      "layer 'scale1' (type 'scale') has no PyTorch form; register one with registerPytorchExport",
    );
  });

  it('writes a registered downstream layer and the runtime helpers it needs, needs first', () => {
    const removeBase = registerPytorchHelper({ name: 'Base', source: 'class Base(nn.Module):\n    pass\n' });
    const removeHelper = registerPytorchHelper({
      name: 'Negate',
      source: 'class Negate(Base):\n    def forward(self, x):\n        return -x\n',
      needs: ['Base'],
    });
    const remove = registerPytorchExport('negate', (ctx) => {
      const m = ctx.module(`${ctx.helper('Negate')}()`);
      return { expr: ctx.assign(`${m}(${ctx.input.expr})`), shape: ctx.input.shape };
    });
    try {
      expect(pytorchExportTypes()).toContain('negate');
      expect(() => registerPytorchExport('negate', (ctx) => ctx.input)).toThrow(UnsupportedError);
      const files = pytorchModelFiles(seq(L('negate', { name: 'training' })), { inputShape: [2] });
      expect(files['model.py']).toContain('self.training_2 = ck.Negate()');
      expect(files['model.py']).toContain('x = self.training_2(x)');
      const runtime = files['convkit_runtime.py'] ?? '';
      expect(runtime.indexOf('class Base(')).toBeGreaterThan(0);
      expect(runtime.indexOf('class Base(')).toBeLessThan(runtime.indexOf('class Negate('));
      expect(runtime).not.toContain('class BatchNorm(');
    } finally {
      remove();
      removeHelper();
      removeBase();
    }
    expect(pytorchExportTypes()).not.toContain('negate');
    expect(pytorchExportTypes()).toEqual(
      expect.arrayContaining(['conv2d', 'dense', 'batchNorm', 'concat', 'sequential']),
    );
  });

  it('rejects an input shape that is neither [h, w, c] nor [features]', () => {
    expect(() => pytorchModelFiles(seq(), { inputShape: [2, 2] })).toThrow(/inputShape must be/);
  });
});

/** The weight names convkit's own model gets from this JSON, sorted. */
function collectNames(json: LayerJSON, input: number[]): string[] {
  const model = fromJSON(json).build(input);
  try {
    return model
      .namedWeights()
      .map(([n]) => n)
      .sort();
  } finally {
    model.dispose();
  }
}

const found = findTorch();

describe.skipIf(!found.python)('convkit_runtime.py safetensors and @convkit/io safetensors read each other', () => {
  it('round-trips floats, integers, bytes, an empty tensor and metadata both ways', () => {
    const folder = tempFolder('convkit-safetensors-py-');
    try {
      writeFiles(folder.dir, pytorchModelFiles(seq(L('flatten')), { inputShape: [3] }));
      writeTensors(
        join(folder.dir, 'in.safetensors'),
        {
          'conv1/kernel': { data: Float32Array.from([1.5, -2, 3.25, 0]), shape: [2, 1, 1, 2] },
          ids: { data: Int32Array.from([7, -8, 9]), shape: [3] },
          mask: { data: Uint8Array.from([0, 255]), shape: [2] },
          empty: { data: new Float32Array(0), shape: [0, 4] },
        },
        { format: 'pt', note: 'ünïcode' },
      );
      const script = [
        'import convkit_runtime as ck',
        "t, meta = ck.read_safetensors('in.safetensors')",
        "t['conv1/kernel'] = t['conv1/kernel'] * 2",
        "t['ids'] = t['ids'] + 1",
        "meta['seen'] = ','.join(f'{k}:{str(v.dtype)}:{list(v.shape)}' for k, v in sorted(t.items()))",
        "ck.write_safetensors('out.safetensors', t, meta)",
      ].join('\n');
      writeFiles(folder.dir, { 'roundtrip.py': script });
      runPython(found.python as string, folder.dir, 'roundtrip.py');
      const { tensors, metadata } = readTensors(join(folder.dir, 'out.safetensors'));
      expect(Array.from(tensors.get('conv1/kernel')?.values ?? [])).toEqual([3, -4, 6.5, 0]);
      expect(tensors.get('conv1/kernel')?.shape).toEqual([2, 1, 1, 2]);
      expect(Array.from(tensors.get('ids')?.values ?? [])).toEqual([8, -7, 10]);
      expect(Array.from(tensors.get('mask')?.values ?? [])).toEqual([0, 255]);
      expect(tensors.get('empty')?.shape).toEqual([0, 4]);
      expect(metadata.note).toBe('ünïcode');
      expect(metadata.seen).toBe(
        'conv1/kernel:torch.float32:[2, 1, 1, 2],empty:torch.float32:[0, 4],ids:torch.int32:[3],mask:torch.uint8:[2]',
      );
    } finally {
      folder.remove();
    }
  }, 180_000);
});
