import { convBiasActivation, fusesHere, matMulBiasActivation } from '@convkit/layers';
import { type LayerOps, unfusedOps } from '@convkit/workloads';

/**
 * The ops a configuration's networks run: on convkit's kernels, @convkit/layers'
 * fused ones where the backend fuses (native, wasm, cuda) — what a `Conv2d` or
 * `Dense` layer with a ReLU runs there, one kernel forward and one per gradient
 * input backward; tfjs-core's ops one by one on stock tfjs (what its users write)
 * and where convkit does not fuse (cpu, webgpu).
 */
export function layerOps(kernels: 'convkit' | 'stock'): LayerOps {
  if (kernels !== 'convkit' || !fusesHere()) return unfusedOps;
  return {
    conv: (x, w, b, stride, pad) => convBiasActivation(x, w, b, stride, pad, 'relu'),
    dense: matMulBiasActivation,
  };
}
