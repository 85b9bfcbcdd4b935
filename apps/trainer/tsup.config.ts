import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { cli: 'src/main.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  // The packages stay external, as a user's project would import them: each resolves its own dependencies.
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  clean: true,
});
