import { defineConfig } from 'tsup';

// One ESM file for Node. tfjs stays external so the app's single tfjs-core
// copy (and its kernel registry) is the one this backend registers into; the
// addon is loaded at run time from build/Release, beside dist/.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  clean: true,
  sourcemap: true,
  external: [/^@tensorflow\//],
  // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates.
  dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
});
