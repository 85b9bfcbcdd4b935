import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '@convkit/build/measure';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './workspace.js';

const out = mkdtempSync(join(tmpdir(), 'convkit-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('@convkit/backend in a bundled app', () => {
  it("the default build's gradient registration survives an app bundler (one file, no node_modules)", async () => {
    // What a CLI or a Vite app does: resolve tfjs' extensionless deep imports at build time.
    const entry = JSON.stringify(join(ROOT, 'packages/backend/dist/index.js'));
    const code = `
      import * as tf from '@tensorflow/tfjs-core';
      import { initBackend } from ${entry};
      (async () => {
        const info = await initBackend('cpu');
        const dx = tf.grad((x) => x.square().sum())(tf.tensor([1, 2, 3]));
        console.log(info.name, JSON.stringify(Array.from(await dx.data())));
      })();
    `;
    const bundled = await bundle({ code, resolveDir: join(ROOT, 'packages/backend') }, { platform: 'node' });
    const file = join(out, 'app.cjs');
    writeFileSync(file, bundled);
    expect(execFileSync('node', [file], { cwd: out, encoding: 'utf8' }).trim()).toBe('cpu [2,4,6]');
  });
});
