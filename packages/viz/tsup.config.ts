import { libraryConfig } from '@convkit/build/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(libraryConfig(['src/index.ts', 'src/node.ts', 'src/charts.ts']));
