import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Plain Node cannot load tfjs-core's extensionless ESM deep imports
 * (`dist/register_all_gradients`), so the `node` build bundles them while
 * keeping `@tensorflow/tfjs-core` itself external: the bundled gradient code
 * registers into the same global registries as the app's tfjs-core.
 */
const bundleTfjsDeepImports: Plugin = {
  name: 'bundle-tfjs-deep-imports',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const shared = {
  format: ['esm' as const],
  target: 'es2022',
  sourcemap: true,
  external: [
    'webgpu',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgpu',
  ],
};

export default defineConfig([
  {
    ...shared,
    // names: the backend names alone, importing nothing (a CLI's help lists them without loading tfjs).
    entry: { index: 'src/index.ts', names: 'src/names.ts' },
    clean: true,
    // tsup's declaration build sets `baseUrl`, which TypeScript 6 deprecates.
    dts: { compilerOptions: { ignoreDeprecations: '6.0' } },
  },
  {
    ...shared,
    entry: { node: 'src/index.ts' },
    platform: 'node',
    noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
    esbuildPlugins: [bundleTfjsDeepImports],
  },
]);
