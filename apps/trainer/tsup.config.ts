import { nodeAppConfig } from '@convkit/build/tsup';
import { defineConfig } from 'tsup';

// The packages stay external, as a user's project would import them: each resolves its own dependencies.
export default defineConfig(nodeAppConfig({ cli: 'src/main.ts' }, { banner: { js: '#!/usr/bin/env node' } }));
