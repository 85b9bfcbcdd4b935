import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Bundles `code` as an application would (ESM, minified) and returns the output. */
async function bundle(code: string): Promise<string> {
  const result = await build({
    stdin: { contents: code, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

describe('tree shaking', () => {
  it('an app that imports outputSize does not ship trace, receptive fields or parameter counts', async () => {
    const all = await bundle(`export * from ${JSON.stringify(entry)};`);
    const one = await bundle(
      `import { outputSize } from ${JSON.stringify(entry)}; console.log(outputSize(8, { kernel: 3 }));`,
    );
    expect(one).toContain('is not an integer');
    expect(one).not.toContain('concatenated branches');
    expect(one).not.toContain('connection table');
    expect(one.length).toBeLessThan(all.length / 3);
  });
});
