// Registers the built-in models (imported by index.ts for this side effect).
import { alexnetModels } from './alexnet.js';
import { densenetModels } from './densenet.js';
import { googlenetModels } from './googlenet.js';
import { inceptionV2Models } from './inception-v2.js';
import { inceptionV3Models } from './inception-v3.js';
import { lenetModels } from './lenet.js';
import { mobilenetModels } from './mobilenet.js';
import { ninModels } from './nin.js';
import { registerModel } from './registry.js';
import { resnetModels } from './resnet.js';
import { cifarResnetModels } from './resnet-cifar.js';
import { shufflenetModels } from './shufflenet.js';
import { squeezenetModels } from './squeezenet.js';
import { vggModels } from './vgg.js';
import { zfnetModels } from './zfnet.js';

for (const definition of [
  ...lenetModels,
  ...alexnetModels,
  ...zfnetModels,
  ...vggModels,
  ...ninModels,
  ...googlenetModels,
  ...inceptionV2Models,
  ...inceptionV3Models,
  ...mobilenetModels,
  ...shufflenetModels,
  ...resnetModels,
  ...cifarResnetModels,
  ...squeezenetModels,
  ...densenetModels,
])
  registerModel(definition);
