// biome-ignore-all assist/source/organizeImports: the imports region is printed in the guide as a reader writes it
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// #region imports
import { initBackend } from '@convkit/backend';
import { exportOnnx } from '@convkit/io';
import { Conv2d, fromJSON, sequential, summary, toJSON } from '@convkit/layers';
import { runLayerTest } from '@convkit/layers/testing';
import * as tf from '@tensorflow/tfjs-core';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { SqueezeExcite } from './squeeze-excite.js';
// #endregion

// The guide "Write your own layer" is printed twice, in packages/layers/README.md (for npm users) and on
// the docs site. Its code blocks are this package's code: a block after `<!-- example-layer: FILE -->`
// is FILE, after `<!-- example-layer: FILE#NAME -->` the `#region NAME` of FILE (imports, then the
// usage below). This file runs that usage and holds both pages to the text that runs.

const url = (path: string) => new URL(path, import.meta.url);
const GUIDES = ['../../layers/README.md', '../../../apps/docs/pages/packages/write-a-layer.md'];

/** The lines between `// #region name` and its `// #endregion`, dedented. */
function region(source: string, name: string): string {
  const lines = source.split('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '// #endregion');
  if (start < 0 || end < 0) throw new Error(`guide.test.ts: no "// #region ${name}" … "// #endregion"`);
  const body = lines.slice(start + 1, end);
  const indent = Math.min(...body.filter((l) => l.trim()).map((l) => (l.match(/^ */)?.[0].length ?? 0) as number));
  return `${body.map((l) => l.slice(indent)).join('\n')}\n`;
}

/** What a marker names: a whole file of this package, or regions of it joined by a blank line. */
function expected(marker: string): string {
  const [file = '', names] = marker.split('#');
  const source = readFileSync(url(`../${file}`), 'utf8');
  return names === undefined
    ? source
    : names
        .split('+')
        .map((n) => region(source, n))
        .join('\n');
}

/** Each `<!-- example-layer: … -->` marker of a page with the fenced block that follows it. */
function markedBlocks(page: string): { marker: string; code: string }[] {
  const pattern = /<!-- example-layer: (\S+) -->\n+```ts\n([\s\S]*?)```/g;
  return [...page.matchAll(pattern)].map((m) => ({ marker: m[1] as string, code: m[2] as string }));
}

describe('the guide "Write your own layer"', () => {
  it('reads marked blocks and regions', () => {
    const page = 'x\n<!-- example-layer: a.ts#r -->\n\n```ts\nconst a = 1;\n```\n```ts\nnot marked\n```\n';
    expect(markedBlocks(page)).toEqual([{ marker: 'a.ts#r', code: 'const a = 1;\n' }]);
    expect(region('x\n  // #region r\n    a;\n\n  b;\n  // #endregion\n', 'r')).toBe('  a;\n\nb;\n');
    expect(() => region('x', 'r')).toThrow('no "// #region r"');
  });

  it.each(GUIDES)('%s prints the layer and its usage as this package has and runs them', (path) => {
    const blocks = markedBlocks(readFileSync(url(path), 'utf8'));
    expect(blocks.map((b) => b.marker)).toEqual(['src/squeeze-excite.ts', 'src/guide.test.ts#imports+usage']);
    for (const { marker, code } of blocks) expect(code, marker).toBe(expected(marker));
  });

  it('runs the usage it prints: costs, runLayerTest, serialization, ONNX', async () => {
    // #region usage
    await initBackend('cpu');
    const model = () =>
      sequential([new Conv2d({ filters: 8, kernel: 3, padding: 1 }), new SqueezeExcite({ name: 'se', ratio: 4 })]);

    // Costs from shapes alone: 42 parameters; 2·(8·2) MACs for the dense layers + 6·6·8 for the multiply.
    const row = summary(model(), { input: [6, 6, 2] }).rows[1]; // { kind: 'squeezeExcite', macs: 320, … }

    // The harness built-in layers pass: shapes at two sizes, declared vs built parameters, gradients,
    // the JSON round trip, same seed same output, no leaked tensor. It throws naming the failed check.
    await runLayerTest(model, { input: [6, 6, 2] });

    // Serialization: the architecture is JSON, the weights go by name.
    const net = model().build([6, 6, 2], { seed: 1 });
    const copy = fromJSON(JSON.parse(JSON.stringify(toJSON(net)))).build([6, 6, 2]);
    copy.setWeights(net.getWeights());

    // ONNX: exportOnnx writes the gate through the exporter the layer registered.
    const session = await InferenceSession.create(await exportOnnx(net, { input: [6, 6, 2] }));
    const x = tf.randomNormal([1, 6, 6, 2], 0, 1, 'float32', 7);
    const { output } = await session.run({ input: new Tensor('float32', await x.data(), [1, 6, 6, 2]) });
    const y = copy.apply(x); // output.data and y.data() agree within 1e-4
    // #endregion
    const [ours, theirs] = [await y.data(), output?.data as Float32Array];
    expect(row).toMatchObject({ kind: 'squeezeExcite', macs: 2 * 8 * 2 + 6 * 6 * 8, params: { trainable: 42 } });
    expect(copy.children[1]).toBeInstanceOf(SqueezeExcite);
    expect(ours.length).toBe(6 * 6 * 8);
    expect(Math.max(...Array.from(ours, (v, i) => Math.abs(v - (theirs[i] as number))))).toBeLessThanOrEqual(1e-4);
    await session.release();
    tf.dispose([x, y]);
    net.dispose();
    copy.dispose();
  });
});
