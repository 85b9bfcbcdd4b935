import { libraryConfig } from '@convkit/build/tsup';
import { defineConfig } from 'tsup';

// One ESM file for Node. tfjs stays external so the app's single tfjs-core
// copy (and its kernel registry) is the one this backend registers into; the
// addons are loaded at run time from build/Release and emulator/build/Release.
export default defineConfig(
  libraryConfig({ index: 'src/index.ts' }, { platform: 'node', target: 'node20', external: [/^@tensorflow\//] }),
);
