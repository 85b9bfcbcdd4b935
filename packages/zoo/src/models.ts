// Registers the built-in models (imported by index.ts for this side effect).
import { lenetModels } from './lenet.js';
import { ninModels } from './nin.js';
import { registerModel } from './registry.js';
import { vggModels } from './vgg.js';

for (const definition of [...lenetModels, ...vggModels, ...ninModels]) registerModel(definition);
