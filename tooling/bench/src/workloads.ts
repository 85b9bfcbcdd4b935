import { ALEXNET, type Architecture, CONV3X3, LENET5, VGG16 } from './architectures.js';

export type WorkloadId = 'lenet5' | 'alexnet' | 'vgg16' | 'conv3x3';

/** One thing every configuration times: a network, a batch, and whether it trains. */
export interface Workload {
  id: WorkloadId;
  title: string;
  architecture: Architecture;
  batch: number;
  /** `train`: forward, backward and an SGD-with-momentum update; `forward`: inference only. */
  mode: 'train' | 'forward';
  /** A lighter workload whose measured rate predicts this one's time, to skip it where it would be too slow. */
  predictFrom?: WorkloadId;
}

/** In run order: AlexNet comes before VGG-16 so that VGG's time can be predicted and skipped when too slow. */
export const WORKLOADS: readonly Workload[] = [
  { id: 'lenet5', title: 'LeNet-5 train step, batch 64', architecture: LENET5, batch: 64, mode: 'train' },
  { id: 'alexnet', title: 'AlexNet forward, batch 1', architecture: ALEXNET, batch: 1, mode: 'forward' },
  {
    id: 'vgg16',
    title: 'VGG-16 forward, batch 1',
    architecture: VGG16,
    batch: 1,
    mode: 'forward',
    predictFrom: 'alexnet',
  },
  { id: 'conv3x3', title: 'conv 3×3 64→64 56², batch 8', architecture: CONV3X3, batch: 8, mode: 'forward' },
];

export function workloadById(id: string): Workload | undefined {
  return WORKLOADS.find((w) => w.id === id);
}
