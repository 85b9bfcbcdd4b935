import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // One file that runs with plain `node`: workspace packages are bundled in.
  noExternal: [/^@convkit\//],
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  clean: true,
});
