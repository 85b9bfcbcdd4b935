import { fileURLToPath } from 'node:url';
import { bundle } from '@convkit/build/measure';
import { describe, expect, it } from 'vitest';

const entry = JSON.stringify(fileURLToPath(new URL('./index.ts', import.meta.url)));
const resolveDir = fileURLToPath(new URL('.', import.meta.url));
const text = async (code: string) => new TextDecoder().decode(await bundle({ code, resolveDir }));

describe('tree shaking', () => {
  it('an app that imports outputSize does not ship trace, receptive fields or parameter counts', async () => {
    const all = await text(`export * from ${entry};`);
    const one = await text(`import { outputSize } from ${entry}; console.log(outputSize(8, { kernel: 3 }));`);
    expect(one).toContain('is not an integer');
    expect(one).not.toContain('concatenated branches');
    expect(one).not.toContain('connection table');
    expect(one.length).toBeLessThan(all.length / 3);
  });
});
