// tfjs-core on its own registers no gradients and no chained ops (x.square()).
// Importing this module registers both, once, then convkit's gradients that
// replace tfjs' where they fall short. The registries live on globalThis, so
// every copy of tfjs-core in a process sees them.
//
// The deep imports are extensionless ESM, which bundlers and vitest resolve
// but plain Node cannot: the `node` build of this package bundles them (see
// tsup.config.ts), the default build leaves them to the app's bundler.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { registerGradient } from '@tensorflow/tfjs-core';
import { avgPoolGradConfig } from './gradients/avg-pool.js';
import { conv2dGradConfig } from './gradients/conv2d.js';
import { reluGradConfig, reluGradGradConfig } from './gradients/relu.js';
import { softmaxCrossEntropyGradConfig } from './gradients/softmax-cross-entropy.js';

registerGradient(conv2dGradConfig);
registerGradient(avgPoolGradConfig);
registerGradient(reluGradConfig);
registerGradient(reluGradGradConfig);
registerGradient(softmaxCrossEntropyGradConfig);
