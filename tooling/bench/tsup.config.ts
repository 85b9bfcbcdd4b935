import { nodeAppConfig } from '@convkit/build/tsup';
import { defineConfig } from 'tsup';

/**
 * The bench runs as plain Node ESM from `dist/`. tfjs and `@convkit/backend`
 * stay external so that the published `node` build of the backend (with its
 * bundled gradient registration) and the single tfjs-core copy are what run;
 * the bench's own code, `@convkit/workloads` and `@convkit/shape` are bundled.
 */
export default defineConfig(
  nodeAppConfig(
    {
      run: 'src/run.ts',
      'tfjs-worker': 'src/workers/tfjs-worker.ts',
      'ort-worker': 'src/workers/ort-worker.ts',
      'cuda-probe': 'src/workers/cuda-probe.ts',
      'profile-webgpu': 'src/profile-webgpu.ts',
      'profile-native': 'src/profile-native.ts',
    },
    {
      external: [/^@tensorflow\//, '@convkit/backend'],
      // Workspace TypeScript that only exists as source.
      noExternal: ['@convkit/workloads', '@convkit/shape'],
    },
  ),
);
