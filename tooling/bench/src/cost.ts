import { trace } from '@convkit/shape';
import { type Architecture, toLayerSpecs } from './architectures.js';
import type { Workload } from './workloads.js';

/**
 * A training step costs about three forward passes: the forward itself, the
 * gradient with respect to the activations, and the gradient with respect to
 * the weights (each the same MACs as the forward). The usual convention.
 */
export const TRAIN_STEP_FORWARDS = 3;

/** Parameters and forward MACs of one image, from `@convkit/shape`'s `trace`. */
export function architectureCost(architecture: Architecture): { params: number; macs: number } {
  const t = trace(architecture.input, toLayerSpecs(architecture.layers));
  return { params: t.totals.params, macs: t.totals.macs };
}

/**
 * MACs of one timed run of a workload: a whole batch; a training step counts
 * as three forwards; an epoch as three forwards of every example.
 */
export function workloadMacs(workload: Pick<Workload, 'architecture' | 'batch' | 'mode' | 'dataset'>): number {
  const perExample = architectureCost(workload.architecture).macs;
  if (workload.mode === 'epoch') return TRAIN_STEP_FORWARDS * perExample * (workload.dataset?.examples ?? 0);
  const forward = perExample * workload.batch;
  return workload.mode === 'train' ? TRAIN_STEP_FORWARDS * forward : forward;
}
