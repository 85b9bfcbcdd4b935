import { libraryConfig } from '@convkit/build/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(libraryConfig({ index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' }));
