import { libraryConfig } from '@convkit/build/tsup';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * Plain Node cannot load tfjs-core's extensionless ESM deep imports
 * (`dist/register_all_gradients`), so the `node` condition's build (`index.node`) bundles them while
 * keeping `@tensorflow/tfjs-core` itself external: the bundled gradient code
 * registers into the same global registries as the app's tfjs-core.
 */
const bundleTfjsDeepImports: Plugin = {
  name: 'bundle-tfjs-deep-imports',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const external = [
  'webgpu',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgpu',
];

export default defineConfig([
  // names: the backend names alone, importing nothing (a CLI's help lists them without loading tfjs).
  libraryConfig(
    { index: 'src/index.ts', names: 'src/names.ts', adapter: 'src/adapter/index.ts', node: 'src/node.ts' },
    { external },
  ),
  // The second build must not clean the first one's output, and emits no declarations of its own.
  libraryConfig(
    { 'index.node': 'src/index.ts' },
    {
      external,
      clean: false,
      dts: false,
      platform: 'node',
      noExternal: [/^@tensorflow\/tfjs-core\/dist\//],
      esbuildPlugins: [bundleTfjsDeepImports],
    },
  ),
]);
