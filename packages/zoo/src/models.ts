// Registers the built-in models (imported by index.ts for this side effect).
import { lenetModels } from './lenet.js';
import { registerModel } from './registry.js';

for (const definition of [...lenetModels]) registerModel(definition);
